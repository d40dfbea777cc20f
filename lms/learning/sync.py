"""The courses, modules and lessons of courses/ in the database: the loader of the ``lesson``
content kind. Edited items are updated in place; removed ones are retired, never deleted, so
learners' progress keeps pointing at them."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from lms.content import kinds
from lms.content.specs import Content, CourseSpec
from lms.content.sync import apply_values as _apply
from lms.content.sync import count as _count
from lms.content.sync import retire_unlisted
from lms.db import db
from lms.learning import media_links
from lms.learning.models import Course, Lesson, Module


def register_content_kind() -> None:
    """Courses, modules and lessons are read by lms.content and loaded here."""
    kinds.register_kind("lesson", load_courses)


def load_courses(content: Content, report: Counter[str]) -> None:
    """Bring courses, modules and lessons in line with ``content``; retire removed courses."""
    existing = {course.code: course for course in db.session.scalars(select(Course))}
    for spec in content.courses:
        _sync_course(spec, existing.get(spec.code), report)
    listed = {spec.code for spec in content.courses}
    for code, course in existing.items():
        if code not in listed and course.is_active:
            course.is_active = False
            report["course.retired"] += 1
    db.session.flush()


def _sync_course(spec: CourseSpec, course: Course | None, report: Counter[str]) -> None:
    values = {
        "title": spec.title,
        "level": spec.level,
        "description": spec.description,
        "min_hours": spec.min_hours,
        "require_all_lessons": spec.require_all_lessons,
        "is_active": True,
    }
    created = course is None
    if course is None:
        course = Course(code=spec.code, **values)
        db.session.add(course)
        db.session.flush()
        changed = True
    else:
        changed = _apply(course, values)
    _count(report, "course", created, changed)

    modules = {module.key: module for module in course.modules}
    for module_spec in spec.modules:
        module = modules.get(module_spec.key)
        module_values = {
            "title": module_spec.title,
            "work_area": module_spec.work_area,
            "position": module_spec.position,
            "retired_at": None,
        }
        if module is None:
            module = Module(course_id=course.id, key=module_spec.key, **module_values)
            db.session.add(module)
            modules[module.key] = module
            _count(report, "module", True, True)
        else:
            _count(report, "module", False, _apply(module, module_values))
    retire_unlisted(modules, {module_spec.key for module_spec in spec.modules}, report, "module")
    db.session.flush()

    lessons = {
        lesson.key: lesson
        for lesson in db.session.scalars(
            select(Lesson).where(Lesson.key.in_([s.key for s in spec.lessons]))
        )
    }
    for lesson_spec in spec.lessons:
        kept = media_links.store_lesson_media(lesson_spec)
        lesson_values = {
            "course_id": course.id,
            "module_id": modules[lesson_spec.module].id,
            "title": lesson_spec.title,
            "hours": lesson_spec.hours,
            "position": lesson_spec.position,
            "care_domains": lesson_spec.care_domains,
            "body_markdown": lesson_spec.body,
            "body_html": media_links.render_body(lesson_spec, kept),
            "video": media_links.video_of(lesson_spec, kept),
            "retired_at": None,
        }
        lesson = lessons.get(lesson_spec.key)
        if lesson is None:
            lesson = Lesson(key=lesson_spec.key, **lesson_values)
            db.session.add(lesson)
            db.session.flush()
            _count(report, "lesson", True, True)
        else:
            _count(report, "lesson", False, _apply(lesson, lesson_values))
        media_links.link(lesson, kept)
    in_course = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))
    retire_unlisted(
        {lesson.key: lesson for lesson in in_course},
        {lesson_spec.key for lesson_spec in spec.lessons},
        report,
        "lesson",
    )
    db.session.flush()
