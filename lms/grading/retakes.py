"""Entry for a retake (补考): who may not be entered for a part of a level in a new sitting,
and why. The pass rule and the validity period it reads are lms.grading.results' (the one place
of the pass rule); this module only decides entries from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from lms.core.errors import DomainError
from lms.core.localtime import local_day
from lms.db import db
from lms.exams.models import Candidate, ExamSession, SessionStatus
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.grading.results import Part, part_passes, valid_until


def _entered_for(staff_id: int, level: int, part: Part) -> bool:
    """The person holds an entry for ``part`` at ``level`` whose results are not published."""
    if part == "theory":
        statement = (
            select(Candidate.id)
            .join(ExamSession, ExamSession.id == Candidate.session_id)
            .where(
                Candidate.staff_id == staff_id,
                ExamSession.level == level,
                ExamSession.status != SessionStatus.RESULTS_PUBLISHED,
            )
        )
    else:
        statement = (
            select(SkillCandidate.id)
            .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
            .where(
                SkillCandidate.staff_id == staff_id,
                SkillSession.level == level,
                SkillSession.status != SkillSessionStatus.RESULTS_PUBLISHED,
            )
        )
    return db.session.scalar(select(exists(statement))) or False


def entry_refusal(staff_id: int, level: int, part: Part, sat_at: datetime) -> str | None:
    """Why ``staff_id`` may not be entered for ``part`` at ``level`` in a sitting on
    ``sat_at`` (its day in Changzhi, as passes are dated), or None. Refused: the part is passed
    and still valid on that day; or the other part was passed but has lapsed by then (both
    parts must be retaken: unless the person is already entered for the other part in a
    session whose results are still to come)."""
    on = local_day(sat_at)
    passes = part_passes(staff_id, level)
    names = {"theory": _l("theory"), "skills": _l("skills")}
    valid = [d for d in passes[part] if on <= valid_until(d)]
    if valid:
        return str(
            _l(
                "%(part)s passed on %(on)s is valid until %(until)s",
                part=names[part],
                on=valid[-1],
                until=valid_until(valid[-1]),
            )
        )
    other: Part = "skills" if part == "theory" else "theory"
    lapsed = passes[other] and not any(on <= valid_until(d) for d in passes[other])
    if lapsed and not _entered_for(staff_id, level, other):
        last = passes[other][-1]
        return str(
            _l(
                "%(other)s passed on %(on)s lapsed after %(until)s: both parts must be "
                "retaken; enter for %(other)s first",
                other=names[other],
                on=last,
                until=valid_until(last),
            )
        )
    return None


def refuse_entries(people: list[Any], level: int, part: Part, sat_at: datetime) -> None:
    """Refuse (DomainError, with each person's reason) entries ``entry_refusal`` refuses."""
    refused = [
        f"{person.name}：{reason}"
        for person in people
        if (reason := entry_refusal(person.id, level, part, sat_at)) is not None
    ]
    if refused:
        raise DomainError(_l("Cannot be entered: %(reasons)s", reasons="；".join(refused)))
