"""The demo year of free training: the plan and district quotas, cohorts per level, and
caregivers at every stage — nominated, studying, completed (and so eligible for the exam)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.db import db, utcnow
from lms.learning.models import (
    Cohort,
    CohortMode,
    Course,
    DistrictQuota,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    TrainingPlan,
)
from lms.learning.services import create_plan
from lms.org.models import District, Institution, Post, Staff

PLAN_QUOTA = 1700
#: Share of each district's caregivers the demo puts in training, and how far they got.
IN_TRAINING = 0.72
STAGES = (("completed", 0.35), ("studying", 0.55), ("nominated", 0.10))


def seed_training(seed: int, year: int, courses_root: Path) -> None:
    """Create the demo plan, cohorts and enrolments once (skipped when the year has a plan)."""
    if db.session.scalar(select(TrainingPlan.id).where(TrainingPlan.year == year)):
        return
    if not db.session.scalar(select(func.count()).select_from(Course)):
        content, problems = load_content(courses_root)
        if problems:
            raise RuntimeError(f"courses/ has problems; run lms courses check ({problems[0]})")
        sync_content(content)
        db.session.flush()
    rng = random.Random(f"{seed}:training")
    caregivers = _caregivers_by_district()
    quotas = _share_quota(caregivers)
    plan = create_plan(year, f"{year}年长治市保育人员免费培训", PLAN_QUOTA, quotas)
    cohorts = _seed_cohorts(plan, year)
    if cohorts:
        _seed_enrolments(rng, plan, cohorts, caregivers, year)


def _caregivers_by_district() -> dict[int, list[int]]:
    rows = db.session.execute(
        select(Institution.district_id, Staff.id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Staff.post == Post.CAREGIVER, Staff.in_post_to.is_(None))
        .order_by(Staff.id)
    ).all()
    result: dict[int, list[int]] = {}
    for district_id, staff_id in rows:
        result.setdefault(district_id, []).append(staff_id)
    return result


def _share_quota(caregivers: dict[int, list[int]]) -> dict[int, int]:
    from lms.demo.seed import _share_out

    districts = list(db.session.scalars(select(District.id).order_by(District.position)))
    weights = [float(len(caregivers.get(d, [])) or 1) for d in districts]
    return dict(zip(districts, _share_out(PLAN_QUOTA, weights), strict=True))


def _seed_cohorts(plan: TrainingPlan, year: int) -> dict[int, Cohort]:
    courses = {course.level: course for course in db.session.scalars(select(Course))}
    shapes = {
        5: ("第一期", 1000, CohortMode.MIXED),
        4: ("第一期", 500, CohortMode.MIXED),
        3: ("第一期", 200, CohortMode.IN_PERSON),
    }
    cohorts = {}
    for level, (period, capacity, mode) in shapes.items():
        course = courses.get(level)
        if course is None:
            continue
        cohort = Cohort(
            plan_id=plan.id,
            course_id=course.id,
            district_id=None,
            title=f"{year}年{period}{course.title.split('（')[0]}（{_level_name(level)}）培训班",
            mode=mode,
            starts_on=date(year, 3, 1),
            ends_on=date(year, 12, 20),
            venue="长治市托育综合服务中心培训教室",
            capacity=capacity,
        )
        db.session.add(cohort)
        cohorts[level] = cohort
    db.session.flush()
    return cohorts


def _level_name(level: int) -> str:
    from lms.core.levels import level_label

    return level_label(level).split("/")[0]


def _seed_enrolments(
    rng: random.Random,
    plan: TrainingPlan,
    cohorts: dict[int, Cohort],
    caregivers: dict[int, list[int]],
    year: int,
) -> None:
    """Put about 72% of each district's caregivers into training, within the district quota."""
    quotas = {
        q.district_id: q
        for q in db.session.scalars(select(DistrictQuota).where(DistrictQuota.plan_id == plan.id))
    }
    lessons = {
        level: list(
            db.session.scalars(
                select(Lesson)
                .where(Lesson.course_id == cohort.course_id, Lesson.retired_at.is_(None))
                .order_by(Lesson.position)
            )
        )
        for level, cohort in cohorts.items()
    }
    levels = sorted(cohorts, reverse=True)
    level_weights = [{5: 0.62, 4: 0.28, 3: 0.10}.get(level, 0.1) for level in levels]
    now = utcnow()
    enrolment_rows: list[dict[str, Any]] = []
    plans: list[tuple[int, str, list[Lesson]]] = []
    for district_id, staff_ids in caregivers.items():
        quota = quotas[district_id]
        chosen = rng.sample(staff_ids, min(len(staff_ids), int(len(staff_ids) * IN_TRAINING)))
        for staff_id in chosen:
            level = rng.choices(levels, weights=level_weights)[0]
            cohort = cohorts[level]
            stage = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]
            holds = stage != "nominated"
            if holds and (quota.used >= quota.quota or cohort.enrolled >= cohort.capacity):
                stage, holds = "nominated", False
            if holds:
                quota.used += 1
                cohort.enrolled += 1
            nominated_at = now - timedelta(days=rng.randint(60, 200))
            enrolment_rows.append(
                {
                    "cohort_id": cohort.id,
                    "staff_id": staff_id,
                    "status": {
                        "completed": EnrolmentStatus.COMPLETED,
                        "studying": EnrolmentStatus.ENROLLED,
                        "nominated": EnrolmentStatus.NOMINATED,
                    }[stage],
                    "quota_id": quota.id if holds else None,
                    "nominated_at": nominated_at,
                    "decided_at": nominated_at + timedelta(days=3) if holds else None,
                    "completed_at": now - timedelta(days=rng.randint(1, 40))
                    if stage == "completed"
                    else None,
                    "study_seconds": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            plans.append((staff_id, stage, lessons[level]))
    for start in range(0, len(enrolment_rows), 2000):
        db.session.execute(insert(Enrolment), enrolment_rows[start : start + 2000])
    db.session.flush()
    ids = dict(
        db.session.execute(
            select(Enrolment.staff_id, Enrolment.id).where(
                Enrolment.cohort_id.in_([c.id for c in cohorts.values()])
            )
        ).all()
    )
    _seed_progress(rng, ids, plans, cohorts, now)


def _seed_progress(
    rng: random.Random,
    ids: dict[int, int],
    plans: list[tuple[int, str, list[Lesson]]],
    cohorts: dict[int, Cohort],
    now: Any,
) -> None:
    progress_rows: list[dict[str, Any]] = []
    totals: dict[int, tuple[int, Any]] = {}
    for staff_id, stage, lessons in plans:
        if stage == "nominated":
            continue
        enrolment_id = ids[staff_id]
        done = len(lessons) if stage == "completed" else rng.randint(0, len(lessons) - 1)
        seconds_total = 0
        for lesson in lessons[: max(done, 1)]:
            # Completed lessons took between the required share and a bit over the nominal time.
            seconds = int(lesson.hours * 3600 * rng.uniform(0.9, 1.3))
            seconds_total += seconds
            progress_rows.append(
                {
                    "enrolment_id": enrolment_id,
                    "lesson_id": lesson.id,
                    "seconds": seconds,
                    "first_opened_at": now - timedelta(days=rng.randint(20, 120)),
                    "completed_at": now - timedelta(days=rng.randint(1, 20)) if done else None,
                }
            )
        last = now - timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 10))
        totals[enrolment_id] = (seconds_total, last)
    for start in range(0, len(progress_rows), 2000):
        db.session.execute(insert(LessonProgress), progress_rows[start : start + 2000])
    updates = [
        {"id": enrolment_id, "study_seconds": seconds, "last_study_at": last}
        for enrolment_id, (seconds, last) in totals.items()
    ]
    for start in range(0, len(updates), 2000):
        db.session.execute(update(Enrolment), updates[start : start + 2000])
    db.session.flush()


def enrol_demo_trainee(staff_id: int, year: int) -> None:
    """Make sure the demo trainee account has a course in progress to open."""
    cohort = db.session.scalar(
        select(Cohort)
        .join(Course)
        .join(TrainingPlan)
        .where(TrainingPlan.year == year, Course.level == 5)
    )
    if cohort is None:
        return
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.staff_id == staff_id))
    if enrolment is not None and enrolment.status in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.COMPLETED,
    ):
        return
    if enrolment is None:
        enrolment = Enrolment(cohort_id=cohort.id, staff_id=staff_id)
        db.session.add(enrolment)
    quota = db.session.scalar(
        select(DistrictQuota)
        .join(Institution, Institution.district_id == DistrictQuota.district_id)
        .join(Staff, Staff.institution_id == Institution.id)
        .where(Staff.id == staff_id, DistrictQuota.plan_id == cohort.plan_id)
    )
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.decided_at = utcnow()
    if quota is not None and quota.used < quota.quota:
        quota.used += 1
        enrolment.quota_id = quota.id
    cohort.enrolled += 1
    db.session.flush()
