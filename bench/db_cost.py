"""What a request costs the database, measured in process on a benchmark's database after its
run: round trips (BEGIN, statements, COMMIT) and the time spent in them, for the autosave path,
the session-cookie answer path and the paper page. The figures docs/deploy.md uses to size
PostgreSQL for more nodes."""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

from sqlalchemy import event, select, update

from bench.common import make_bench_app

SAVES = 50
PAGES = 5


def measure(url: str, instance: str, username: str) -> dict[str, Any]:
    """Reopen ``username``'s (handed-in) attempt and time its requests; the figures are medians."""
    from lms.accounts.models import User
    from lms.db import db, utcnow
    from lms.exams.models import Attempt, AttemptStatus, Candidate

    app = make_bench_app(url, instance)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None
        attempt_id = db.session.scalar(
            select(Attempt.id).join(Candidate).where(Candidate.staff_id == user.staff_id)
        )
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(status=AttemptStatus.IN_PROGRESS, submitted_at=None, score=None, passed=None)
        )
        db.session.commit()
        user_id = user.get_id()
        db.session.remove()
    trips = {"count": 0, "seconds": 0.0}
    engine = db.engine
    assert engine is not None

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        trips["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: Any) -> None:
        trips["count"] += 1
        trips["seconds"] += time.perf_counter() - trips["started"]

    @event.listens_for(engine, "commit")
    def _commit(*_args: Any) -> None:
        trips["count"] += 1

    if engine.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE is a statement, counted above

        @event.listens_for(engine, "begin")
        def _begin(*_args: Any) -> None:
            trips["count"] += 1

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["login_at"] = session["seen"] = utcnow().timestamp()

    def timed(call: Any) -> tuple[int, float, float, Any]:
        trips.update(count=0, seconds=0.0)
        started = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return trips["count"], trips["seconds"] * 1000, elapsed * 1000, response

    paper = f"/exams/my/attempts/{attempt_id}"
    pages = [timed(lambda: client.get(paper)) for _ in range(PAGES)]
    html = pages[-1][3].get_data(as_text=True)
    found = re.search(r'data-autosave-url="([^"]+)" data-autosave-token="([^"]+)"', html)
    assert found, "no autosave token on the paper"
    url_path, token = found.groups()
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert csrf, "no CSRF token on the paper"
    session_headers = {"X-CSRFToken": csrf.group(1)}
    seq = int(time.time() * 1000) + 10_000_000
    saves, legacy = [], []
    for number in range(SAVES):
        body = {"position": 1 + number % 60, "value": ["A"], "seq": seq + 2 * number}
        saves.append(
            timed(
                lambda body=body: client.post(url_path, json=body, headers={"X-Exam-Token": token})
            )
        )
        old = {**body, "seq": body["seq"] + 1}
        legacy.append(
            timed(lambda old=old: client.post(f"{paper}/answer", json=old, headers=session_headers))
        )
    db.session.remove()
    engine.dispose()

    def figures(name: str, rows: list[tuple[int, float, float, Any]]) -> dict[str, float]:
        return {
            f"{name}_round_trips": statistics.median(r[0] for r in rows),
            f"{name}_db_ms": round(statistics.median(r[1] for r in rows), 2),
            f"{name}_request_ms": round(statistics.median(r[2] for r in rows), 2),
        }

    return {**figures("save", saves), **figures("session_save", legacy), **figures("paper", pages)}
