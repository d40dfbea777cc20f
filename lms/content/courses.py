"""Reading and checking course content in ``courses/`` (see courses/README.md): the catalog,
courses, modules and lessons here, questions, blueprints and tasks in ``items``.

``load_content`` never raises for bad content: it returns what it could read and a list of
``Problem`` (``file:line: message``), so an author sees every mistake at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content import kinds
from lms.content.items import read_blueprints, read_questions
from lms.content.lesson_check import lesson_problems
from lms.content.lesson_media import CourseFolder, read_lesson_video
from lms.content.practice import read_practice
from lms.content.reader import KEY, Reader
from lms.content.specs import (
    LESSON_HOURS,
    Catalog,
    Content,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    Problem,
)
from lms.content.tasks import read_skill_plans, read_task
from lms.content.yaml_lines import LineDict

LESSON_FILE = re.compile(r"^\d{2}-[a-z0-9][a-z0-9-]*\.md$")


@lru_cache(maxsize=4)
def _catalog_at(path: str, _mtime: float) -> Catalog:
    return _read_catalog(Reader(Path(path).parent), Path(path))


def catalog(root: str | Path) -> Catalog:
    """The shared vocabulary (work areas, difficulties, …), re-read when catalog.yaml changes."""
    path = Path(root) / "catalog.yaml"
    return _catalog_at(str(path), path.stat().st_mtime if path.exists() else 0.0)


def load_content(root: Path) -> tuple[Content, list[Problem]]:
    """Read and check the whole content tree under ``root`` (with every kind's validator)."""
    registered = kinds.require_all()
    reader = Reader(root)
    content = Content(root=root)
    catalog_path = root / "catalog.yaml"
    if not catalog_path.exists():
        reader.problem(catalog_path, 1, _l("catalog.yaml is missing"))
        return content, reader.problems
    content.catalog = _read_catalog(reader, catalog_path)
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        course = _read_course(reader, content.catalog, folder)
        if course is not None:
            content.courses.append(course)
    if not content.courses:
        reader.problem(root, 1, _l("no course folders found"))
    content.blueprints = read_blueprints(reader, content.catalog, root / "blueprints.yaml")
    content.skill_plans = read_skill_plans(reader, content.catalog, root / "blueprints.yaml")
    for kind in registered:
        if kind.validate is not None:
            kind.validate(reader, content)
    return content, reader.problems


def _read_catalog(reader: Reader, path: Path) -> Catalog:
    data = reader.load_yaml(path)
    catalog = Catalog()
    if not isinstance(data, LineDict):
        reader.problem(path, 1, _l("the catalog must be a mapping"))
        return catalog
    for entry in data.get("levels") or []:
        if isinstance(entry, dict) and isinstance(entry.get("digit"), int):
            catalog.levels[entry["digit"]] = str(entry.get("label", ""))
    for section, target in (
        ("work_areas", catalog.work_areas),
        ("care_domains", catalog.care_domains),
        ("difficulties", catalog.difficulties),
    ):
        entries = data.get(section)
        if not isinstance(entries, list) or not entries:
            reader.problem(path, data.line_of(section), _l("%(key)s is required", key=section))
            continue
        for entry in entries:
            if isinstance(entry, dict) and entry.get("key") and entry.get("name"):
                target[str(entry["key"])] = str(entry["name"])
                if section == "work_areas" and entry.get("kind") == "skill":
                    catalog.skill_areas.append(str(entry["key"]))
            else:
                line = entry.line if isinstance(entry, LineDict) else data.line_of(section)
                reader.problem(path, line, _l("every entry needs a key and a name"))
    if not catalog.levels:
        reader.problem(path, data.line_of("levels"), _l("levels is required"))
    return catalog


def _read_course(reader: Reader, catalog: Catalog, folder: Path) -> CourseSpec | None:
    path = folder / "course.yaml"
    if not path.exists():
        reader.problem(path, 1, _l("course.yaml is missing"))
        return None
    data = reader.load_yaml(path)
    if not isinstance(data, LineDict):
        reader.problem(path, 1, _l("course.yaml must be a mapping"))
        return None
    code = reader.require(path, data, "code", str)
    if code and code != folder.name:
        reader.problem(
            path,
            data.line_of("code"),
            _l(
                "code %(code)s must equal the folder name %(folder)s", code=code, folder=folder.name
            ),
        )
    title = reader.require(path, data, "title", str)
    level = data.get("level")
    if level not in catalog.levels:
        reader.problem(path, data.line_of("level"), _l("level must be one of the catalog levels"))
    completion = data.get("completion") if isinstance(data.get("completion"), LineDict) else None
    min_hours = completion.get("min_hours") if completion else None
    if not isinstance(min_hours, int | float) or min_hours <= 0:
        reader.problem(
            path,
            completion.line_of("min_hours") if completion else data.line,
            _l("completion.min_hours must be a positive number"),
        )
        min_hours = 0
    course = CourseSpec(
        code=code or folder.name,
        title=title or "",
        level=level if isinstance(level, int) else 0,
        description=str(data.get("description") or "").strip(),
        min_hours=float(min_hours),
        require_all_lessons=bool(completion.get("require_all_lessons", True))
        if completion
        else True,
    )
    _read_modules(reader, catalog, path, data, course)
    lessons_folder = folder / "lessons"
    for position, lesson_path in enumerate(sorted(lessons_folder.glob("*.md")), start=1):
        lesson = _read_lesson(reader, catalog, course, lesson_path, position)
        if lesson is not None:
            course.lessons.append(lesson)
    read_practice(reader, catalog, folder, course)
    for question_path in sorted((folder / "questions").glob("*.yaml")):
        course.questions.extend(read_questions(reader, catalog, question_path, course))
    for task_path in sorted((folder / "tasks").glob("*.yaml")):
        task = read_task(reader, catalog, task_path, course.level)
        if task is not None:
            course.tasks.append(task)
    if not course.lessons:
        reader.problem(path, 1, _l("the course has no lessons"))
    if course.lessons and course.min_hours > course.total_hours:
        reader.problem(
            path,
            completion.line_of("min_hours") if completion else 1,
            _l(
                "min_hours (%(m)s) exceeds the lessons' total hours (%(t)s)",
                m=course.min_hours,
                t=course.total_hours,
            ),
        )
    return course


def _read_modules(
    reader: Reader, catalog: Catalog, path: Path, data: LineDict, course: CourseSpec
) -> None:
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        reader.problem(path, data.line_of("modules"), _l("modules is required"))
        return
    for position, entry in enumerate(modules, start=1):
        if not isinstance(entry, LineDict):
            reader.problem(path, data.line_of("modules"), _l("each module must be a mapping"))
            continue
        key = reader.require(path, entry, "key", str)
        title = reader.require(path, entry, "title", str)
        work_area = entry.get("work_area")
        if work_area not in catalog.work_areas:
            reader.problem(
                path, entry.line_of("work_area"), _l("unknown work area %(w)s", w=work_area)
            )
        if key and any(module.key == key for module in course.modules):
            reader.problem(path, entry.line_of("key"), _l("module key %(k)s is used twice", k=key))
        elif key and title:
            course.modules.append(ModuleSpec(key, title, str(work_area), position))


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def _read_lesson(
    reader: Reader, catalog: Catalog, course: CourseSpec, path: Path, position: int
) -> LessonSpec | None:
    if not LESSON_FILE.match(path.name):
        reader.problem(path, 1, _l("lesson files are named NN-slug.md, e.g. 03-sleep.md"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        reader.problem(path, 1, _l("the file is not UTF-8 text"))
        return None
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if match is None:
        reader.problem(path, 1, _l("a lesson starts with YAML front matter between --- lines"))
        return None
    meta = reader.load_yaml(path, match.group(1), first_line=2)
    if not isinstance(meta, LineDict):
        return None
    offset = 1  # front matter starts on the second line of the file
    key = reader.require(path, meta, "id", str, offset)
    if key:
        if not KEY.match(key):
            reader.problem(path, meta.line_of("id") + offset, _l("ids use a-z, 0-9 and -"))
        elif key in reader.lesson_keys:
            reader.problem(
                path,
                meta.line_of("id") + offset,
                _l("id %(k)s is also used in %(other)s", k=key, other=reader.lesson_keys[key]),
            )
        else:
            reader.lesson_keys[key] = reader.rel(path)
    title = reader.require(path, meta, "title", str, offset)
    module = meta.get("module")
    if module not in {m.key for m in course.modules}:
        reader.problem(
            path,
            meta.line_of("module") + offset,
            _l("module %(m)s is not a module of this course", m=module),
        )
    hours = meta.get("hours")
    if not isinstance(hours, int | float) or not LESSON_HOURS[0] <= hours <= LESSON_HOURS[1]:
        reader.problem(
            path, meta.line_of("hours") + offset, _l("hours must be a number from 0.5 to 6")
        )
        hours = 0
    domains = meta.get("care_domains") or []
    if not isinstance(domains, list) or any(d not in catalog.care_domains for d in domains):
        reader.problem(
            path,
            meta.line_of("care_domains") + offset,
            _l("care_domains must be keys from catalog.yaml"),
        )
        domains = []
    body = text[match.end() :]
    body_line = match.group(0).count("\n") + 1
    folder = CourseFolder(path)
    for line, message in lesson_problems(body, folder.find, first_line=body_line):
        reader.problem(path, line, message)
    video = read_lesson_video(reader, path, meta, offset, folder)
    if not (key and title):
        return None
    return LessonSpec(
        key=key,
        title=title,
        module=str(module),
        hours=float(hours),
        care_domains=list(domains),
        body=body,
        position=position,
        path=reader.rel(path),
        media=folder.found,
        video=video,
    )
