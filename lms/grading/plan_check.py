"""What ``lms courses check`` prints about the practical tasks (the ``task`` kind's report),
failing where a level cannot be assessed as planned: every level with tasks has a skill plan;
each level's pool covers every work area its plan weighs, holds tasks of the level, and can
give every count of tasks a session may ask for (4 to 6) after the weights; each task's time
covers its steps. ``lms courses sync`` still loads such content: a session of the level is
refused with the reason when it is created."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.content.kinds import Report
from lms.content.specs import Content, SkillPlanSpec, TaskSpec
from lms.grading import skill_draw


def _pool(content: Content, level: int) -> list[TaskSpec]:
    tasks = {task.code: task for course in content.courses for task in course.tasks}
    return sorted((t for t in tasks.values() if level in t.levels), key=lambda t: t.code)


def plan_problems(plan: SkillPlanSpec, pool: list[TaskSpec]) -> list[str]:
    """Why ``pool`` cannot be drawn after ``plan``, in words for the author; empty when fine."""
    problems = []
    areas = {task.work_area for task in pool}
    missing = [area for area in plan.weights if area not in areas]
    if missing:
        problems.append(
            str(
                _l(
                    "level %(level)s: the plan weighs %(areas)s but the pool has no task there",
                    level=plan.level,
                    areas=", ".join(missing),
                )
            )
        )
        return problems
    for n in skill_draw.TASKS_PER_CANDIDATE:
        counts = list(skill_draw.allowed_counts(plan.weights, n))
        short = [c for c in counts if not skill_draw.feasible(plan, pool, c)]
        if short:
            example = ", ".join(f"{area} {k}" for area, k in short[0].items() if k)
            problems.append(
                str(
                    _l(
                        "level %(level)s: with %(n)s tasks, %(bad)s of %(all)s ways of "
                        "following the weights cannot be filled (e.g. %(example)s), with at "
                        "least %(own)s of the level's own tasks",
                        level=plan.level,
                        n=n,
                        bad=len(short),
                        all=len(counts),
                        example=example,
                        own=plan.own_level,
                    )
                )
            )
    return problems


def skill_reports(content: Content) -> list[Report]:
    """Per level the pool by work area against the weights; per task its steps' time."""
    names = content.catalog.work_areas
    plans = Report(_("Skill plans: a candidate's tasks by work area"))
    planned = {plan.level for plan in content.skill_plans}
    for course in content.courses:
        if course.tasks and course.level not in planned:
            plans.fail(
                _("level %(level)s has practical tasks but no skill plan", level=course.level)
            )
    for plan in sorted(content.skill_plans, key=lambda p: -p.level):
        pool = _pool(content, plan.level)
        own = sum(task.home_level == plan.level for task in pool)
        areas = "；".join(
            _(
                "%(area)s %(weight)s%% (%(n)s tasks)",
                area=names.get(area, area),
                weight=weight,
                n=sum(task.work_area == area for task in pool),
            )
            for area, weight in plan.weights.items()
        )
        problems = plan_problems(plan, pool)
        for problem in problems:
            plans.fail(problem)
        plans.add(
            not problems,
            _(
                "level %(level)s: %(n)s tasks, %(own)s of the level's own (at least %(min)s "
                "per candidate): %(areas)s",
                level=plan.level,
                n=len(pool),
                own=own,
                min=plan.own_level,
                areas=areas,
            ),
        )
    timing = Report(_("Practical tasks: time allowed against the steps' time"))
    for course in content.courses:
        for task in course.tasks:
            described = [c for c in task.criteria if c.describe_only]
            line = _(
                "%(code)s: steps %(steps)s of %(d)s minutes",
                code=task.code,
                steps=f"{task.step_minutes:g}",
                d=task.duration_minutes,
            )
            if described:
                line += _(
                    "; described, not waited for: %(steps)s",
                    steps="、".join(
                        _("%(key)s (%(n)s minutes in reality)", key=c.key, n=f"{c.real_minutes:g}")
                        for c in described
                    ),
                )
            timing.add(task.step_minutes <= task.duration_minutes, line)
    return [plans, timing]
