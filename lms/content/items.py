"""Reading the theory questions of a course folder and the paper blueprints."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content.reader import KEY, Reader
from lms.content.specs import (
    BlueprintCellSpec,
    BlueprintSpec,
    Catalog,
    CourseSpec,
    QuestionSpec,
)
from lms.content.yaml_lines import LineDict


def read_questions(
    reader: Reader, catalog: Catalog, path: Path, course: CourseSpec
) -> list[QuestionSpec]:
    data = reader.load_yaml(path)
    if not isinstance(data, LineDict):
        reader.problem(path, 1, _l("a question file is a mapping with a questions list"))
        return []
    return questions_of(reader, catalog, path, data, course)


def questions_of(
    reader: Reader,
    catalog: Catalog,
    path: Path,
    data: LineDict,
    course: CourseSpec,
    work_area: str | None = None,
) -> list[QuestionSpec]:
    """The questions of a question file's mapping (exam bank or a lesson's self-check);
    ``work_area`` is the default when the file names none."""
    default_level = data.get("level", course.level)
    default_area = data.get("work_area", work_area)
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
        kind = item.get("type")  # checked, with the answer, by the question kind's validator
        if not isinstance(kind, str):
            reader.problem(path, item.line_of("type"), _l("%(key)s is required", key="type"))
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
                    answer=item.get("answer"),
                    explanation=explanation.strip(),
                    path=reader.rel(path),
                    line=item.line,
                    type_line=item.line_of("type"),
                    answer_line=item.line_of("answer"),
                    raw=dict(item),
                )
            )
    return result


BLUEPRINT_RULES = ("all_or_nothing", "half_for_subset", "proportional")


def read_blueprints(reader: Reader, catalog: Catalog, path: Path) -> list[BlueprintSpec]:
    """Theory paper blueprints (blueprints.yaml at the content root); the file is optional,
    and so is its blueprints list (the file may hold only the skill plans)."""
    if not path.exists():
        return []
    data = reader.load_yaml(path)
    items = data.get("blueprints", []) if isinstance(data, LineDict) else None
    if not isinstance(items, list):
        reader.problem(path, 1, _l("blueprints.yaml holds a blueprints list"))
        return []
    result = []
    for item in items:
        if not isinstance(item, LineDict):
            reader.problem(path, 1, _l("each entry must be a mapping"))
            continue
        before = len(reader.problems)
        key = reader.require(path, item, "key", str)
        title = reader.require(path, item, "title", str)
        level = item.get("level")
        if level not in catalog.levels:
            reader.problem(
                path, item.line_of("level"), _l("level must be one of the catalog levels")
            )
        duration = item.get("duration_minutes", 90)
        if not isinstance(duration, int) or not 10 <= duration <= 300:
            reader.problem(
                path,
                item.line_of("duration_minutes"),
                _l("duration_minutes must be a whole number from 10 to 300"),
            )
        rule = item.get("multiple_choice_rule", "all_or_nothing")
        if rule not in BLUEPRINT_RULES:
            reader.problem(
                path,
                item.line_of("multiple_choice_rule"),
                _l("multiple_choice_rule must be one of %(r)s", r=", ".join(BLUEPRINT_RULES)),
            )
        cells = _read_cells(reader, catalog, path, item)
        total = round(sum(cell.count * cell.points for cell in cells), 2)
        if cells and total != 100:
            reader.problem(
                path,
                item.line_of("cells"),
                _l("the cells add up to %(t)s points, not 100", t=total),
            )
        if len(reader.problems) == before:
            result.append(
                BlueprintSpec(
                    key=key,
                    title=title,
                    level=int(level or 0),
                    duration_minutes=int(duration or 90),
                    pass_score=float(item.get("pass_score", 60)),
                    multiple_choice_rule=str(rule),
                    cells=cells,
                    path=reader.rel(path),
                    line=item.line,
                )
            )
    return result


def _read_cells(
    reader: Reader, catalog: Catalog, path: Path, item: LineDict
) -> list[BlueprintCellSpec]:
    cells = item.get("cells")
    if not isinstance(cells, list) or not cells:
        reader.problem(path, item.line_of("cells"), _l("cells is required"))
        return []
    result = []
    for cell in cells:
        if not isinstance(cell, LineDict):
            reader.problem(path, item.line_of("cells"), _l("each entry must be a mapping"))
            continue
        kind, area, difficulty = cell.get("type"), cell.get("work_area"), cell.get("difficulty")
        count, points = cell.get("count"), cell.get("points")
        if not isinstance(kind, str):  # checked by the question kind's validator
            reader.problem(path, cell.line_of("type"), _l("%(key)s is required", key="type"))
        if area is not None and area not in catalog.work_areas:
            reader.problem(path, cell.line_of("work_area"), _l("unknown work area %(w)s", w=area))
        if difficulty is not None and difficulty not in catalog.difficulties:
            reader.problem(
                path,
                cell.line_of("difficulty"),
                _l("difficulty must be one of %(d)s", d=", ".join(catalog.difficulties)),
            )
        if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            reader.problem(path, cell.line_of("count"), _l("count must be a positive whole number"))
            count = 0
        if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
            reader.problem(path, cell.line_of("points"), _l("points must be a positive number"))
            points = 0
        result.append(
            BlueprintCellSpec(
                str(kind), area, difficulty, int(count), float(points), cell.line_of("type")
            )
        )
    return result
