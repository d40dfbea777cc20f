"""Appeals after the results: one task of one candidate re-marked by a different panel, the
earlier marks kept. Services flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.core import audit
from lms.core.errors import Conflict, DomainError
from lms.db import db
from lms.grading.marking import update_skills_score
from lms.grading.models import (
    CandidateTask,
    Panel,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.panels import panel_conflicts


def open_appeal(task: CandidateTask, panel: Panel, reason: str, actor: User) -> CandidateTask:
    """Re-open one task of one candidate for re-marking by a different panel; the old marks stay."""
    candidate = task.candidate
    if candidate.session.status != SkillSessionStatus.RESULTS_PUBLISHED:
        raise Conflict(_l("Appeals are heard after the results are published"))
    if task.status != TaskStatus.FINAL:
        raise Conflict(_l("Only a task with a final mark can be appealed"))
    if not reason.strip():
        raise DomainError(_l("Write the reason for the appeal"))
    if panel.session_id != candidate.session_id:
        raise DomainError(_l("Choose a panel of this session"))
    earlier = {m.examiner_id for m in task.marks}
    if earlier & {m.examiner_id for m in panel.members} or panel_conflicts(panel, candidate.staff):
        raise Conflict(_l("The new panel must not include the earlier examiners or conflicts"))
    task.status = TaskStatus.SUPERSEDED
    again = CandidateTask(
        candidate=candidate,
        position=task.position,
        task_code=task.task_code,
        title=task.title,
        work_area=task.work_area,
        weight=task.weight,
        rubric=task.rubric,
        round=task.round + 1,
        panel_id=panel.id,
        appeal_reason=reason.strip(),
    )
    db.session.add(again)
    db.session.flush()
    audit.record("skills.appeal_opened", again, actor=actor, reason=reason, previous=task.id)
    update_skills_score(candidate)
    return again
