"""Examiner agreement: intraclass correlation per task and each examiner's deviation from the
consensus of their panel, flagging examiners who mark consistently high or low."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.grading.models import CandidateTask, Mark, SkillCandidate

#: Mean deviation (points out of 100) beyond which an examiner is flagged …
LENIENCY_POINTS = 5.0
#: … when at least this many of their marks are known …
MIN_MARKS = 5
#: … and this share of them lie on the same side of the consensus.
CONSISTENCY = 0.7


def icc1(groups: list[list[float]]) -> float | None:
    """One-way random-effects ICC(1) for groups of unequal size (Shrout & Fleiss; k0 for
    unbalanced groups): the share of mark variance that lies between candidates rather than
    between examiners marking the same candidate. None when it cannot be estimated."""
    groups = [group for group in groups if len(group) >= 2]
    count = len(groups)
    total = sum(len(group) for group in groups)
    if count < 2 or total <= count:
        return None
    grand = sum(sum(group) for group in groups) / total
    means = [statistics.fmean(group) for group in groups]
    between = sum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True))
    within = sum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g)
    ms_between = between / (count - 1)
    ms_within = within / (total - count)
    k0 = (total - sum(len(g) ** 2 for g in groups) / total) / (count - 1)
    denominator = ms_between + (k0 - 1) * ms_within
    if denominator == 0:
        return None
    return round((ms_between - ms_within) / denominator, 3)


@dataclass
class TaskAgreement:
    task_code: str
    title: str
    marked: int
    icc: float | None
    mean_spread: float


@dataclass
class ExaminerAgreement:
    examiner: User
    marks: int
    mean_deviation: float
    same_side: float
    flag: str | None  # "lenient", "harsh" or None


def _submitted_marks(session_id: int) -> dict[CandidateTask, list[Mark]]:
    rows = db.session.execute(
        select(CandidateTask, Mark)
        .join(Mark, Mark.candidate_task_id == CandidateTask.id)
        .join(SkillCandidate, SkillCandidate.id == CandidateTask.candidate_id)
        .where(
            SkillCandidate.session_id == session_id,
            Mark.submitted_at.is_not(None),
            Mark.total.is_not(None),
        )
    ).all()
    grouped: dict[CandidateTask, list[Mark]] = defaultdict(list)
    for task, mark in rows:
        grouped[task].append(mark)
    return {task: marks for task, marks in grouped.items() if len(marks) >= 2}


def agreement(session_id: int) -> tuple[list[TaskAgreement], list[ExaminerAgreement]]:
    """Per task: ICC(1) and mean spread of panel marks; per examiner: mean deviation."""
    marked = _submitted_marks(session_id)
    by_code: dict[str, list[list[float]]] = defaultdict(list)
    titles: dict[str, str] = {}
    deviations: dict[int, list[float]] = defaultdict(list)
    examiners: dict[int, User] = {}
    for task, marks in marked.items():
        totals = [float(mark.total or 0) for mark in marks]
        by_code[task.task_code].append(totals)
        titles[task.task_code] = task.title
        centre = statistics.fmean(totals)
        for mark in marks:
            deviations[mark.examiner_id].append(float(mark.total or 0) - centre)
            examiners[mark.examiner_id] = mark.examiner
    tasks = [
        TaskAgreement(
            task_code=code,
            title=titles[code],
            marked=len(groups),
            icc=icc1(groups),
            mean_spread=round(statistics.fmean(max(g) - min(g) for g in groups), 1),
        )
        for code, groups in sorted(by_code.items())
    ]
    people = []
    for examiner_id, values in deviations.items():
        mean = statistics.fmean(values)
        same_side = sum(1 for v in values if (v > 0) == (mean > 0) and v != 0) / len(values)
        flag = None
        if len(values) >= MIN_MARKS and abs(mean) >= LENIENCY_POINTS and same_side >= CONSISTENCY:
            flag = "lenient" if mean > 0 else "harsh"
        people.append(
            ExaminerAgreement(
                examiner=examiners[examiner_id],
                marks=len(values),
                mean_deviation=round(mean, 1),
                same_side=round(same_side, 2),
                flag=flag,
            )
        )
    people.sort(key=lambda row: -abs(row.mean_deviation))
    return tasks, people
