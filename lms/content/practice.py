"""Reading a course's self-check questions: ``practice/<lesson-file-stem>.yaml`` holds the
practice questions shown at the end of that lesson. Same schema as the exam question files, plus
``lesson: <lesson id>``; a pool of its own that no exam draws from (``lms.learning.practice``
loads it into its own table)."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content.items import questions_of
from lms.content.reader import Reader
from lms.content.specs import Catalog, CourseSpec, PracticeSpec
from lms.content.yaml_lines import LineDict

#: How many self-check questions a lesson has.
PRACTICE_COUNT = (3, 5)
#: The question types a self-check may use (answered and checked at once, no examiner).
PRACTICE_TYPES = ("single", "multiple", "truefalse")


def read_practice(reader: Reader, catalog: Catalog, folder: Path, course: CourseSpec) -> None:
    """Read ``folder/practice/*.yaml`` into ``course.practice`` (after its lessons are read)."""
    stems = {Path(lesson.path).stem: lesson for lesson in course.lessons}
    modules = {module.key: module for module in course.modules}
    for path in sorted((folder / "practice").glob("*.yaml")):
        data = reader.load_yaml(path)
        if not isinstance(data, LineDict):
            reader.problem(path, 1, _l("a practice file is a mapping with lesson and questions"))
            continue
        lesson = stems.get(path.stem)
        if lesson is None:
            reader.problem(path, 1, _l("%(f)s names no lesson file of this course", f=path.name))
            continue
        if data.get("lesson") != lesson.key:
            reader.problem(
                path,
                data.line_of("lesson"),
                _l("lesson must be %(k)s, the id of %(f)s", k=lesson.key, f=Path(lesson.path).name),
            )
            continue
        module = modules.get(lesson.module)
        questions = questions_of(
            reader, catalog, path, data, course, module.work_area if module else None
        )
        for question in questions:
            if question.type not in PRACTICE_TYPES:
                reader.problem(
                    path,
                    question.type_line,
                    _l("a self-check question is %(t)s", t=", ".join(PRACTICE_TYPES)),
                )
        items = data.get("questions")
        written = len(items) if isinstance(items, list) else 0
        low, high = PRACTICE_COUNT
        if written and not low <= written <= high:
            reader.problem(
                path,
                data.line_of("questions"),
                _l("a lesson has %(low)d to %(high)d self-check questions", low=low, high=high),
            )
        course.practice.append(
            PracticeSpec(
                lesson=lesson.key,
                questions=[q for q in questions if q.type in PRACTICE_TYPES],
                path=reader.rel(path),
            )
        )
