"""Item analysis after a session: difficulty (mean share of the points earned) and
discrimination (point-biserial correlation of the item with the rest of the paper)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.db import db
from lms.exams.models import Attempt, Candidate, ExamSession, PaperItem, Question, Response

TOO_EASY = 0.9
TOO_HARD = 0.2
#: Below this many answers the figures are shown but not flagged.
MIN_RESPONSES = 10
FLAG_LABELS = {
    "too_easy": _l("too easy"),
    "too_hard": _l("too hard"),
    "negative": _l("discriminates negatively"),
}


@dataclass
class ItemStat:
    question: Question
    responses: int
    difficulty: float | None
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def item_analysis(session: ExamSession) -> list[ItemStat]:
    """Figures per question over the candidates who sat the paper and were fully scored."""
    rows = db.session.execute(
        select(PaperItem.question_id, PaperItem.points, Response.score, Attempt.id, Attempt.score)
        .join(Attempt, Attempt.id == PaperItem.attempt_id)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .outerjoin(
            Response,
            (Response.attempt_id == Attempt.id) & (Response.position == PaperItem.position),
        )
        .where(
            Candidate.session_id == session.id,
            Attempt.started_at.is_not(None),
            Attempt.score.is_not(None),
        )
    ).all()
    per_question: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for question_id, points, earned, _attempt_id, total in rows:
        earned = earned or 0.0
        share = earned / points if points else 0.0
        per_question[question_id].append((share, (total or 0.0) - earned))
    questions = {
        q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(per_question)))
    }
    stats = []
    for question_id, pairs in per_question.items():
        shares = [share for share, _ in pairs]
        difficulty = round(sum(shares) / len(shares), 3)
        r = _pearson(shares, [rest for _, rest in pairs])
        stat = ItemStat(
            questions[question_id], len(pairs), difficulty, None if r is None else round(r, 3)
        )
        if len(pairs) >= MIN_RESPONSES:
            if difficulty > TOO_EASY:
                stat.flags.append("too_easy")
            if difficulty < TOO_HARD:
                stat.flags.append("too_hard")
            if r is not None and r < 0:
                stat.flags.append("negative")
        stats.append(stat)
    stats.sort(key=lambda s: (not s.flags, s.discrimination if s.discrimination is not None else 9))
    return stats
