"""The autosave path: ``POST /exams/autosave`` with the attempt's signed token in the
``X-Exam-Token`` header and ``{position, value, seq}`` as JSON; answers like the session-cookie
path (``take.answer``): ``{saved, remaining_seconds}``, 409 when time is up, 400 when the answer
is malformed, 401 when the token no longer holds (signed out, password changed).

Every candidate's every click lands here, so the path skips what a save does not need: it runs
in front of Flask (a WSGI wrapper), loads no user, opens no cookie session and needs no CSRF
token (the attempt token travels in a header a cross-site page cannot set or read). One
statement checks everything and writes: the token's user still holds the session epoch it was
issued under (``accounts.services.end_sessions`` stops it), is active and is the attempt's
candidate; the attempt is open and before its server deadline; the position is on the paper;
a stored answer with a higher ordering number wins. The response is sent after the commit.
Only when that statement writes nothing does a second query say why (and hand in a paper whose
time is up, through ``attempts.expire_if_due``)."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask, has_app_context
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import JSON, Integer, bindparam, literal, select

from lms.accounts.models import User
from lms.core.params import MAX_ID, holds_nul
from lms.db import UTCDateTime, db, utcnow, write_intent
from lms.exams import question_types
from lms.exams.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    PaperItem,
    QuestionVersion,
    Response,
)

PATH = "/exams/autosave"
HEADER = "HTTP_X_EXAM_TOKEN"
#: Short answers are the longest; anything bigger is not an answer.
MAX_BODY = 64 * 1024
_SALT = "lms.exams.autosave"


def issue_token(app: Flask, attempt_id: int, user: User) -> str:
    """The token the paper page gives its autosave: this attempt, this user, this session
    epoch (a sign-out or password change elsewhere stops it). It needs no expiry of its own:
    the attempt's deadline, checked by the server on every save, ends its use."""
    return _serializer(app.config["SECRET_KEY"]).dumps([attempt_id, user.id, user.session_epoch])


@functools.cache
def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


@functools.lru_cache(maxsize=16384)
def _read_token(secret: str, token: str) -> tuple[int, int, int] | None:
    """(attempt id, user id, epoch), or None; a valid token is checked once per process."""
    try:
        attempt_id, user_id, epoch = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not all(type(n) is int for n in (attempt_id, user_id, epoch)):
        return None
    return attempt_id, user_id, epoch


Shape = tuple[datetime, dict[int, tuple[str, int]]]
#: Papers seen by this process; bounded (cleared when full: a miss costs one query).
_SHAPES: dict[int, Shape] = {}
_MAX_SHAPES = 8192


def _paper_shape(attempt_id: int) -> Shape | None:
    """The attempt's deadline and {position: (question type, option count)}; both are fixed
    once the clock started (the statement still checks the deadline and the position), so
    they are read once per process; None before the clock starts."""
    shape = _SHAPES.get(attempt_id)
    if shape is None:
        shape = _load_shape(attempt_id)
        if shape is not None:
            if len(_SHAPES) >= _MAX_SHAPES:
                _SHAPES.clear()
            _SHAPES[attempt_id] = shape
    return shape


def _load_shape(attempt_id: int) -> Shape | None:
    deadline = db.session.scalar(select(Attempt.deadline_at).where(Attempt.id == attempt_id))
    if deadline is None:
        return None
    rows = db.session.execute(
        select(PaperItem.position, QuestionVersion.type, PaperItem.option_order)
        .join(QuestionVersion, QuestionVersion.id == PaperItem.version_id)
        .where(PaperItem.attempt_id == attempt_id)
    ).all()
    return deadline, {position: (kind, len(order)) for position, kind, order in rows}


@functools.cache
def _save_statement(dialect: str) -> Any:
    """INSERT … SELECT … ON CONFLICT DO UPDATE: writes only when every check holds."""
    from sqlalchemy.dialects import postgresql, sqlite

    table: Any = Response.__table__
    now: Any = bindparam("now", type_=UTCDateTime())
    source = (
        select(
            Attempt.id,
            PaperItem.position,
            bindparam("value", type_=JSON()),
            bindparam("seq", type_=table.c.seq.type),
            now,
            literal(""),
        )
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(User, User.staff_id == Candidate.staff_id)
        .join(PaperItem, PaperItem.attempt_id == Attempt.id)
        .where(
            Attempt.id == bindparam("attempt_id", type_=Integer()),
            Attempt.status == AttemptStatus.IN_PROGRESS,
            Attempt.started_at.is_not(None),
            Attempt.deadline_at > now,
            User.id == bindparam("user_id", type_=Integer()),
            User.session_epoch == bindparam("epoch", type_=Integer()),
            User.is_active.is_(True),
            PaperItem.position == bindparam("position", type_=Integer()),
        )
        # A save and a hand-in of the same paper take turns (PostgreSQL; SQLite serialises
        # writes): saves share the attempt row, the hand-in's UPDATE waits for them and scores
        # what they wrote, and a save waiting behind a hand-in finds the paper submitted.
        .with_for_update(read=True, of=Attempt)
    )
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    columns = ["attempt_id", "position", "value", "seq", "saved_at", "marker_comment"]
    statement = insert.from_select(columns, source)
    return statement.on_conflict_do_update(
        index_elements=["attempt_id", "position"],
        set_={
            "value": statement.excluded.value,
            "seq": statement.excluded.seq,
            "saved_at": statement.excluded.saved_at,
        },
        where=table.c.seq < statement.excluded.seq,
    ).returning(table.c.id)


class AutosavePath:
    """WSGI wrapper: ``POST /exams/autosave`` is answered here, everything else by Flask."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        from lms.web import security_headers

        self.app, self.next = app, wsgi_app
        self.secret = app.config["SECRET_KEY"]
        self.headers = [*security_headers(app), ("Cache-Control", "no-store")]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != PATH:
            return self.next(environ, start_response)
        status, body = self.handle(environ)
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *self.headers,
        ]
        start_response(status, headers)
        return [payload]

    def handle(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 METHOD NOT ALLOWED", _error("method", "POST only")
        claims = _read_token(self.secret, environ.get(HEADER, ""))
        if claims is None:
            return "401 UNAUTHORIZED", self.message("bad_token", _l("Please sign in to continue"))
        request = _parse(environ)
        if request is None:
            return "400 BAD REQUEST", self.message("bad_request", _l("Malformed answer"))
        attempt_id, user_id, epoch = claims
        position, value, seq = request
        # A write: on SQLite the transaction takes the write lock up front (BEGIN IMMEDIATE),
        # whatever the last request this thread served declared.
        write_intent.set(True)
        if has_app_context():  # the test client's requests share the test's session
            return self.save(attempt_id, user_id, epoch, position, value, seq)
        with db.engine_of(self.app):
            try:
                return self.save(attempt_id, user_id, epoch, position, value, seq)
            finally:
                db.session.remove()

    def save(
        self, attempt_id: int, user_id: int, epoch: int, position: int, value: Any, seq: int
    ) -> tuple[str, dict[str, Any]]:
        now = utcnow()
        shape = _paper_shape(attempt_id)
        item = shape[1].get(position) if shape else None
        if shape is not None and item is not None:
            kind, options = item
            try:
                value = question_types.get(kind).clean_response(value, options)
            except ValueError:
                db.session.rollback()
                return "400 BAD REQUEST", self.message("bad_request", _l("Malformed answer"))
            row = db.session.execute(
                _save_statement(db.dialect_name),
                {
                    "attempt_id": attempt_id,
                    "user_id": user_id,
                    "epoch": epoch,
                    "position": position,
                    "value": value,
                    "seq": seq,
                    "now": now,
                },
            ).first()
            db.session.commit()  # acknowledged only once it is committed
            if row is not None:
                remaining = max(0, int((shape[0] - now).total_seconds()))
                return "200 OK", {"saved": True, "remaining_seconds": remaining}
        return self.refused(attempt_id, user_id, epoch, position, now)

    def refused(
        self, attempt_id: int, user_id: int, epoch: int, position: int, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        """Why the statement wrote nothing: a newer answer is stored (200, saved false), the
        token no longer holds (401), time is up (409, the paper handed in), or no such
        question (400)."""
        from lms.exams import attempts

        with self._context():
            user = db.session.get(User, user_id)
            attempt = db.session.get(Attempt, attempt_id)
            if (
                user is None
                or attempt is None
                or not user.is_active
                or user.session_epoch != epoch
                or user.staff_id != attempt.candidate.staff_id
            ):
                db.session.rollback()
                return "401 UNAUTHORIZED", self.message(
                    "signed_out", _l("Please sign in to continue")
                )
            if attempt.status != AttemptStatus.IN_PROGRESS or attempt.started_at is None:
                db.session.rollback()
                return "409 CONFLICT", self.message("time_up", _l("This exam has been submitted"))
            if attempts.expire_if_due(attempt, now):
                db.session.commit()  # the paper handed in at the deadline stays handed in
                return "409 CONFLICT", self.message(
                    "time_up", _l("Time is up; your answers were submitted")
                )
            db.session.rollback()
            shape = _paper_shape(attempt_id)
            if shape is None or position not in shape[1]:
                return "400 BAD REQUEST", self.message(
                    "bad_request", _l("There is no question %(n)d on this paper", n=position)
                )
            return "200 OK", {
                "saved": False,
                "remaining_seconds": attempts.remaining_seconds(attempt, now),
            }

    def message(self, code: str, text: Any) -> dict[str, Any]:
        with self._context():
            return _error(code, str(text))

    def _context(self) -> Any:
        """An application context for translations and services, unless one is active."""
        return contextlib.nullcontext() if has_app_context() else self.app.app_context()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _parse(environ: dict[str, Any]) -> tuple[int, Any, int] | None:
    """(position, value, seq) from a JSON body, or None when it is not a well-formed save."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return None  # also keeps cross-site "simple" requests out
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    try:
        body = json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    position, seq = body.get("position"), body.get("seq")
    if type(position) is not int or type(seq) is not int:
        return None
    if not 1 <= position <= MAX_ID or not -(2**63) <= seq < 2**63:
        return None
    value = body.get("value")
    if holds_nul(value):
        return None
    return position, value, seq
