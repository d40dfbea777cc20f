"""Reading the theory questions and practical tasks of a course folder."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.exams import question_types
from lms.learning.content_reader import KEY, Reader
from lms.learning.content_specs import (
    RUBRIC_TOTAL,
    Catalog,
    CourseSpec,
    CriterionSpec,
    QuestionSpec,
    TaskSpec,
)
from lms.learning.yaml_lines import LineDict


def read_questions(
    reader: Reader, catalog: Catalog, path: Path, course: CourseSpec
) -> list[QuestionSpec]:
    data = reader.load_yaml(path)
    if not isinstance(data, LineDict):
        reader.problem(path, 1, _l("a question file is a mapping with a questions list"))
        return []
    default_level = data.get("level", course.level)
    default_area = data.get("work_area")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        reader.problem(path, data.line_of("questions"), _l("questions is required"))
        return []
    result = []
    for item in items:
        if not isinstance(item, LineDict):
            reader.problem(path, data.line_of("questions"), _l("each question must be a mapping"))
            continue
        before = len(reader.problems)
        key = reader.require(path, item, "id", str)
        if key:
            if not KEY.match(key):
                reader.problem(path, item.line_of("id"), _l("ids use a-z, 0-9 and -"))
            elif key in reader.question_keys:
                reader.problem(
                    path,
                    item.line_of("id"),
                    _l(
                        "id %(k)s is also used in %(other)s", k=key, other=reader.question_keys[key]
                    ),
                )
            else:
                reader.question_keys[key] = reader.rel(path)
        kind = item.get("type")
        if kind not in question_types.REGISTRY:
            reader.problem(
                path,
                item.line_of("type"),
                _l("type must be one of %(types)s", types=", ".join(question_types.REGISTRY)),
            )
        else:
            for message in question_types.get(kind).validate(item):
                reader.problem(path, item.line_of("answer"), message)
        level = item.get("level", default_level)
        if level not in catalog.levels:
            reader.problem(
                path, item.line_of("level"), _l("level must be one of the catalog levels")
            )
        area = item.get("work_area", default_area)
        if area not in catalog.work_areas:
            reader.problem(path, item.line_of("work_area"), _l("unknown work area %(w)s", w=area))
        difficulty = item.get("difficulty")
        if difficulty not in catalog.difficulties:
            reader.problem(
                path,
                item.line_of("difficulty"),
                _l("difficulty must be one of %(d)s", d=", ".join(catalog.difficulties)),
            )
        stem = reader.require(path, item, "stem", str)
        explanation = reader.require(path, item, "explanation", str)
        if len(reader.problems) == before:
            result.append(
                QuestionSpec(
                    key=key,
                    type=str(kind),
                    level=int(level),
                    work_area=str(area),
                    difficulty=str(difficulty),
                    stem=stem.strip(),
                    options={
                        str(k): str(v).strip() for k, v in (item.get("options") or {}).items()
                    },
                    answer=question_types.get(str(kind)).answer_key(item),
                    explanation=explanation.strip(),
                    path=reader.rel(path),
                    line=item.line,
                )
            )
    return result


def _read_rubric_items(
    reader: Reader, path: Path, data: LineDict, key: str, with_points: bool
) -> list[CriterionSpec]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        reader.problem(path, data.line_of(key), _l("%(key)s is required", key=key))
        return []
    result: list[CriterionSpec] = []
    for item in items:
        if not isinstance(item, LineDict):
            reader.problem(path, data.line_of(key), _l("each entry must be a mapping"))
            continue
        item_key = reader.require(path, item, "id", str)
        text = reader.require(path, item, "text", str)
        points = item.get("points", 0)
        if with_points and (not isinstance(points, int) or isinstance(points, bool) or points <= 0):
            reader.problem(
                path, item.line_of("points"), _l("points must be a positive whole number")
            )
            points = 0
        if item_key and any(existing.key == item_key for existing in result):
            reader.problem(
                path, item.line_of("id"), _l("id %(k)s is used twice in this task", k=item_key)
            )
        if item_key and text:
            result.append(CriterionSpec(item_key, text.strip(), int(points) if with_points else 0))
    return result


def read_task(reader: Reader, catalog: Catalog, path: Path) -> TaskSpec | None:
    data = reader.load_yaml(path)
    if not isinstance(data, LineDict):
        reader.problem(path, 1, _l("a task file is a mapping"))
        return None
    before = len(reader.problems)
    code = reader.require(path, data, "code", str)
    if code:
        if not KEY.match(code):
            reader.problem(path, data.line_of("code"), _l("ids use a-z, 0-9 and -"))
        elif code in reader.task_codes:
            reader.problem(
                path,
                data.line_of("code"),
                _l("id %(k)s is also used in %(other)s", k=code, other=reader.task_codes[code]),
            )
        else:
            reader.task_codes[code] = reader.rel(path)
    title = reader.require(path, data, "title", str)
    levels = data.get("levels")
    if not isinstance(levels, list) or not levels or any(lv not in catalog.levels for lv in levels):
        reader.problem(path, data.line_of("levels"), _l("levels must list catalog levels"))
    area = data.get("work_area")
    if area not in catalog.work_areas:
        reader.problem(path, data.line_of("work_area"), _l("unknown work area %(w)s", w=area))
    duration = data.get("duration_minutes")
    if not isinstance(duration, int) or not 1 <= duration <= 240:
        reader.problem(
            path,
            data.line_of("duration_minutes"),
            _l("duration_minutes must be a whole number from 1 to 240"),
        )
    scenario = reader.require(path, data, "scenario", str)
    criteria = _read_rubric_items(reader, path, data, "criteria", with_points=True)
    critical = _read_rubric_items(reader, path, data, "critical_errors", with_points=False)
    total = sum(criterion.points for criterion in criteria)
    if criteria and total != RUBRIC_TOTAL:
        reader.problem(
            path, data.line_of("criteria"), _l("criteria points add up to %(t)d, not 100", t=total)
        )
    if len(reader.problems) != before:
        return None
    materials = data.get("materials") or []
    return TaskSpec(
        code=code,
        title=title,
        levels=[int(level) for level in levels or []],
        work_area=str(area),
        duration_minutes=int(duration or 0),
        scenario=scenario.strip(),
        materials=[str(m) for m in materials],
        criteria=criteria,
        critical_errors=critical,
        path=reader.rel(path),
    )
