"""Reading practical tasks (``<course>/tasks/*.yaml``) with their timed steps, and the skill
assessment plans (the ``skills`` section of blueprints.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeGuard

from flask_babel import lazy_gettext as _l

from lms.content.reader import KEY, Reader
from lms.content.specs import RUBRIC_TOTAL, Catalog, CriterionSpec, SkillPlanSpec, TaskSpec
from lms.content.yaml_lines import LineDict


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_step_time(reader: Reader, path: Path, item: LineDict) -> tuple[float, bool, float]:
    """(minutes, describe_only, real_minutes) of a criterion: every step says how long it takes
    in the assessment; a step the candidate describes instead of waiting for also says how long
    it takes in reality (more than in the assessment)."""
    given = item.get("minutes")
    minutes = float(given) if _number(given) else 0.0
    if not 0 < minutes <= 240:
        reader.problem(
            path,
            item.line_of("minutes") if "minutes" in item else item.line,
            _l("minutes (the time the step takes in the assessment) must be a positive number"),
        )
        minutes = 0.0
    describe_only = item.get("describe_only", False)
    if not isinstance(describe_only, bool):
        reader.problem(path, item.line_of("describe_only"), _l("describe_only is true or false"))
        describe_only = False
    given_real = item.get("real_minutes", 0)
    real = float(given_real) if _number(given_real) else 0.0
    if describe_only and real <= minutes:
        reader.problem(
            path,
            item.line_of("real_minutes") if "real_minutes" in item else item.line,
            _l(
                "a describe-only step gives real_minutes, the time it takes in reality "
                "(more than its minutes in the assessment)"
            ),
        )
    if not describe_only and "real_minutes" in item:
        reader.problem(
            path, item.line_of("real_minutes"), _l("real_minutes is for describe-only steps")
        )
    return minutes, describe_only, real if describe_only else 0.0


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
        timing = _read_step_time(reader, path, item) if with_points else (0.0, False, 0.0)
        if item_key and any(existing.key == item_key for existing in result):
            reader.problem(
                path, item.line_of("id"), _l("id %(k)s is used twice in this task", k=item_key)
            )
        if item_key and text:
            result.append(
                CriterionSpec(item_key, text.strip(), int(points) if with_points else 0, *timing)
            )
    return result


def read_task(reader: Reader, catalog: Catalog, path: Path, course_level: int) -> TaskSpec | None:
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
    elif max(levels) != course_level:
        reader.problem(
            path,
            data.line_of("levels"),
            _l(
                "a task lives in the course of the most elementary level it lists "
                "(here level %(level)s)",
                level=course_level,
            ),
        )
    area = data.get("work_area")
    if area not in catalog.skill_areas:
        reader.problem(path, data.line_of("work_area"), _l("unknown skill work area %(w)s", w=area))
    duration = data.get("duration_minutes")
    if not isinstance(duration, int) or not 1 <= duration <= 240:
        reader.problem(
            path,
            data.line_of("duration_minutes"),
            _l("duration_minutes must be a whole number from 1 to 240"),
        )
        duration = 0
    scenario = reader.require(path, data, "scenario", str)
    criteria = _read_rubric_items(reader, path, data, "criteria", with_points=True)
    critical = _read_rubric_items(reader, path, data, "critical_errors", with_points=False)
    total = sum(criterion.points for criterion in criteria)
    if criteria and total != RUBRIC_TOTAL:
        reader.problem(
            path, data.line_of("criteria"), _l("criteria points add up to %(t)d, not 100", t=total)
        )
    steps = sum(criterion.minutes for criterion in criteria)
    if duration and steps > duration:
        reader.problem(
            path,
            data.line_of("duration_minutes"),
            _l(
                "the steps take %(steps)s minutes but the task allows %(d)s; give more time, "
                "or mark a step describe_only (the candidate describes it, does not wait)",
                steps=f"{steps:g}",
                d=duration,
            ),
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


def read_skill_plans(reader: Reader, catalog: Catalog, path: Path) -> list[SkillPlanSpec]:
    """The ``skills`` section of blueprints.yaml: per level, the weight of each work area in a
    candidate's tasks and how many are of the candidate's own level. Optional."""
    if not path.exists():
        return []
    data = reader.load_yaml(path)
    items = data.get("skills") if isinstance(data, LineDict) else None
    if items is None:
        return []
    if not isinstance(items, list):
        reader.problem(path, data.line_of("skills"), _l("skills is a list of levels' plans"))
        return []
    plans: list[SkillPlanSpec] = []
    for item in items:
        if not isinstance(item, LineDict):
            reader.problem(path, data.line_of("skills"), _l("each entry must be a mapping"))
            continue
        before = len(reader.problems)
        level = item.get("level")
        if level not in catalog.levels:
            reader.problem(
                path, item.line_of("level"), _l("level must be one of the catalog levels")
            )
        elif any(plan.level == level for plan in plans):
            reader.problem(
                path, item.line_of("level"), _l("level %(l)s has two skill plans", l=level)
            )
        weights = item.get("weights")
        if not isinstance(weights, dict) or not weights:
            reader.problem(path, item.line_of("weights"), _l("%(key)s is required", key="weights"))
            weights = {}
        for area, weight in weights.items():
            if area not in catalog.skill_areas:
                reader.problem(
                    path, item.line_of("weights"), _l("unknown skill work area %(w)s", w=area)
                )
            if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
                reader.problem(
                    path, item.line_of("weights"), _l("weights are positive whole percentages")
                )
        if weights and all(isinstance(w, int) for w in weights.values()):
            total = sum(weights.values())
            if total != 100:
                reader.problem(
                    path,
                    item.line_of("weights"),
                    _l("the weights add up to %(t)s, not 100", t=total),
                )
        own = item.get("own_level", 1)
        if not isinstance(own, int) or isinstance(own, bool) or own < 0:
            reader.problem(path, item.line_of("own_level"), _l("own_level must be a whole number"))
        if len(reader.problems) == before:
            plans.append(
                SkillPlanSpec(
                    level=int(level or 0),
                    weights={str(a): int(w) for a, w in weights.items()},
                    own_level=int(own),
                    path=reader.rel(path),
                    line=item.line,
                )
            )
    return plans
