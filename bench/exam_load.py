"""Theory exam under load: 1,700 candidates sign in, start together, answer and autosave a
100-question paper and hand it in, against gunicorn on SQLite and on PostgreSQL.

The candidates (bench/exam_client.py) are simulated without thinking time, so that minutes of a
real exam pass in seconds; their requests share a pool of keep-alive connections, as behind a
load balancer. The exam runs in three synchronised phases: every candidate opens the paper,
then autosaves every answer (the attempt's token path), then hands in; the autosave phase's
saves per second are compared with the ceiling measured in the same run: the smallest Flask
application on the same gunicorn configuration, driven by the same client. Save latency is
measured per request on its connection. After the run every acknowledged answer is looked up
in the database ("lost answers"), and the database cost of one save and one paper page is
measured in process (bench/db_cost.py)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from bench import db_cost
from bench.common import databases, emit, make_bench_app, migrate, note, size
from bench.exam_client import (
    PASSWORD,
    Candidate,
    Client,
    Stats,
    answer_all,
    everyone,
    hand_in,
    hello_run,
    open_paper,
    percentile,
    sign_in,
)
from lms.testing.server import GunicornServer

CANDIDATES = int(os.environ.get("BENCH_EXAM_CANDIDATES", str(size(1700, 20))))
QUESTIONS = 100
#: One gunicorn worker per CPU with a few threads each, the load balancer's pool filling them:
#: on the 2-CPU benchmark machine more workers or connections only lengthened queues.
WORKERS = int(os.environ.get("BENCH_EXAM_WORKERS", str(os.cpu_count() or 2)))
THREADS = int(os.environ.get("BENCH_EXAM_THREADS", "4"))
CONNECTIONS = int(os.environ.get("BENCH_EXAM_CONNECTIONS", str(WORKERS * THREADS)))
HELLO_REQUESTS = size(30_000, 800)
SECRET_KEY = "bench-exam-secret-key-0000000000000000"  # noqa: S105 (throw-away benchmark server)
DATA_KEY = "bench-exam-data-key-0000000000"
#: 60 single (1 point), 20 multiple (1.5 points), 20 true/false (0.5 points): 100 questions.
PAPER = [("single", 60, 1.0), ("multiple", 20, 1.5), ("truefalse", 20, 0.5)]


# Data -----------------------------------------------------------------------------------------


def prepare(
    url: str,
    instance: str,
    candidates: int = CANDIDATES,
    spare: int = 0,
    institutions: int = size(80, 20),
) -> dict[str, int]:
    """Seed the demo world, a synthetic bank and blueprint, and a published session with
    ``candidates`` candidates who can sign in (``spare`` more trainees
    in the world for other uses); returns username -> candidate id."""
    from lms.accounts import services as accounts
    from lms.accounts.models import User
    from lms.core.roles import Role
    from lms.db import db, utcnow
    from lms.demo.seed import DemoOptions, seed_demo
    from lms.exams import sessions
    from lms.exams.models import Blueprint, BlueprintCell, Candidate, Question
    from lms.learning.models import (
        Cohort,
        CohortMode,
        Course,
        Enrolment,
        EnrolmentStatus,
        TrainingPlan,
    )
    from lms.org.models import Staff

    app = make_bench_app(url, instance)
    with app.app_context():
        seed_demo(DemoOptions(trainees=candidates + 300 + spare, institutions=institutions))
        for kind, count, _points in PAPER:
            for number in range(count * 2):
                db.session.add(
                    Question(
                        key=f"bench-{kind}-{number}",
                        type=kind,
                        level=5,
                        work_area="daily_care",
                        difficulty="medium",
                        stem=f"压力测试{kind}第{number}题：婴幼儿照护要点是什么？",
                        options={}
                        if kind == "truefalse"
                        else {"A": "选项甲", "B": "选项乙", "C": "选项丙", "D": "选项丁"},
                        answer_key={"single": "B", "multiple": ["A", "C"], "truefalse": True}[kind],
                        explanation="",
                        source="manual",
                    )
                )
        blueprint = Blueprint(
            key="bench-100", title="压力测试理论考试", level=5, duration_minutes=120
        )
        for position, (kind, count, points) in enumerate(PAPER, start=1):
            blueprint.cells.append(
                BlueprintCell(
                    position=position,
                    question_type=kind,
                    count=count,
                    points=points,
                    work_area="daily_care",
                )
            )
        db.session.add(blueprint)
        admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN))
        course = db.session.scalar(select(Course).where(Course.level == 5))
        plan = db.session.scalar(select(TrainingPlan))
        assert admin is not None and course is not None and plan is not None
        cohort = Cohort(
            plan_id=plan.id,
            course_id=course.id,
            title="压力测试期",
            mode=CohortMode.MIXED,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 12, 31),
            capacity=candidates,
            enrolled=candidates,
        )
        db.session.add(cohort)
        db.session.flush()
        staff = db.session.scalars(
            select(Staff)
            .where(~select(User.id).where(User.staff_id == Staff.id).exists())
            .where(~select(Candidate.id).where(Candidate.staff_id == Staff.id).exists())
            .order_by(Staff.id)
            .limit(candidates)
        ).all()
        assert len(staff) == candidates, f"only {len(staff)} staff free for the benchmark"
        for number, person in enumerate(staff):
            db.session.add(
                Enrolment(
                    cohort_id=cohort.id,
                    staff_id=person.id,
                    status=EnrolmentStatus.COMPLETED,
                    completed_at=utcnow(),
                )
            )
            accounts.create_user(
                username=f"bench-{number:04d}",
                password=PASSWORD,
                role=Role.TRAINEE,
                display_name=person.name,
                staff=person,
                chosen_by_user=True,
            )
        opens = utcnow() - timedelta(minutes=5)
        session = sessions.create_session(
            sessions.SessionData(
                title="压力测试场次",
                blueprint_id=blueprint.id,
                opens_at=opens,
                closes_at=opens + timedelta(hours=6),
                duration_minutes=120,
                district_id=None,
            ),
            admin,
        )
        rooms = (candidates + 29) // 30
        for number in range(rooms):
            room = sessions.add_room(session, f"第{number + 1}考场", 30)
            for seat in range(2):
                sessions.add_invigilator(
                    room,
                    accounts.create_user(
                        username=f"bench-invigilator-{number}-{seat}",
                        password=PASSWORD,
                        role=Role.EXAMINER,
                        display_name="监考员",
                    ),
                )
        sessions.add_candidates(session, list(staff))
        sessions.publish(session, admin)
        db.session.commit()
        rows = db.session.execute(
            select(User.username, Candidate.id)
            .join(Candidate, Candidate.staff_id == User.staff_id)
            .where(Candidate.session_id == session.id)
        ).all()
        db.session.remove()
    return dict(rows)  # type: ignore[arg-type]


def stored_answers(url: str) -> dict[tuple[int, int], Any]:
    """(attempt id, position) -> the value the database holds."""
    from lms.db import normalize_url

    engine = create_engine(normalize_url(url))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT attempt_id, position, value FROM exam_responses")
        ).all()
        submitted = connection.execute(
            text("SELECT count(*) FROM exam_attempts WHERE status = 'submitted'")
        ).scalar_one()
    engine.dispose()
    import json

    answers = {
        (attempt, position): json.loads(value) if isinstance(value, str) else value
        for attempt, position, value in rows
    }
    answers[(-1, -1)] = submitted
    return answers


# Server ---------------------------------------------------------------------------------------


def gunicorn(application: str, env: dict[str, str], log: Path, ready_path: str) -> GunicornServer:
    """The benchmarked server configuration, started and answering ``ready_path``."""
    options = ["--worker-class", "gthread", "--workers", str(WORKERS), "--threads", str(THREADS)]
    options += ["--backlog", "4096", "--keep-alive", "30"]
    server = GunicornServer(
        env, application=application, options=options, log=log, ready_path=ready_path
    )
    return server.start()


# Client ---------------------------------------------------------------------------------------


async def exam_run(
    base: str, candidates: dict[str, int]
) -> tuple[Stats, dict[str, float], list[Candidate]]:
    """Everyone signs in; then, all at once, opens the paper, autosaves every answer and
    hands in. Returns the figures, the seconds of each phase and the candidates."""
    client = Client(base, CONNECTIONS)
    people = [Candidate(username, cid) for username, cid in sorted(candidates.items())]
    setup = Stats()
    await everyone([lambda who=who: sign_in(client, who, setup) for who in people])
    if setup.errors:
        raise RuntimeError(f"sign-in failed: {setup.errors[:5]}")
    stats = Stats()
    rng = random.Random(7)
    started = time.perf_counter()  # the synchronised start: every candidate at once
    await everyone([lambda who=who: open_paper(client, who, stats) for who in people])
    opened = time.perf_counter()
    await everyone(
        [
            lambda who=who: answer_all(client, who, stats, random.Random(rng.random()))
            for who in people
        ]
    )
    answered = time.perf_counter()
    await everyone([lambda who=who: hand_in(client, who, stats) for who in people])
    seconds = {
        "exam": time.perf_counter() - started,
        "papers": opened - started,
        "autosave": answered - opened,
    }
    await client.close()
    return stats, seconds, people


def lost_answers(url: str, people: list[Candidate]) -> tuple[int, int, int]:
    """(acknowledged answers, acknowledged answers the database does not hold, papers handed
    in): every acknowledged answer is compared with the database."""
    stored = stored_answers(url)
    lost = sum(
        1
        for who in people
        for position, value in who.acknowledged.items()
        if stored.get((who.attempt_id, position)) != value
    )
    return sum(len(who.acknowledged) for who in people), lost, stored[(-1, -1)]


def run() -> None:
    for database, make_database in databases():
        with make_database() as url, tempfile.TemporaryDirectory(prefix="lms-exam-") as folder:
            note(f"exam_load/{database}: preparing {CANDIDATES} candidates…")
            migrate(url)
            prepared = time.perf_counter()
            candidates = prepare(url, folder)
            note(f"  prepared in {time.perf_counter() - prepared:.0f} s; measuring the ceiling")
            env = {
                **os.environ,
                "LMS_ENV": "production",
                "LMS_DATABASE_URL": url,
                "LMS_INSTANCE_PATH": folder,
                "LMS_SECRET_KEY": SECRET_KEY,
                "LMS_DATA_KEY": DATA_KEY,
                "LMS_LOGIN_RATE_LIMIT": "100000 per minute",
            }
            env.pop("LMS_REDIS_URL", None)
            hello = gunicorn("bench.hello_app:app", env, Path(folder) / "hello.log", "/")
            ceiling = asyncio.run(hello_run(hello.base, CONNECTIONS, HELLO_REQUESTS))
            hello.stop()
            server = gunicorn("lms.wsgi:app", env, Path(folder) / "lms.log", "/healthz")
            note(f"  ceiling {ceiling:.0f} req/s; {CANDIDATES} candidates sit the paper")
            stats, phases, people = asyncio.run(exam_run(server.base, candidates))
            server.stop()
            acknowledged, lost, submitted = lost_answers(url, people)
            cost = db_cost.measure(url, folder, people[0].username)
            seconds = phases["exam"]
            throughput = stats.requests / seconds
            autosave_rps = stats.saves / phases["autosave"]
            emit(
                {
                    "bench": "exam_load",
                    "database": database,
                    "candidates": CANDIDATES,
                    "questions": QUESTIONS,
                    "connections": CONNECTIONS,
                    "gunicorn": f"gthread {WORKERS}x{THREADS}",
                    "exam_seconds": round(seconds, 1),
                    "requests": stats.requests,
                    "requests_per_second": round(throughput, 1),
                    "ceiling_requests_per_second": round(ceiling, 1),
                    "share_of_ceiling": round(throughput / ceiling, 3),
                    # The autosave phase alone (every candidate saving, nothing else running).
                    "autosave_rps": round(autosave_rps, 1),
                    "autosave_share_of_ceiling": round(autosave_rps / ceiling, 3),
                    "paper_p95_ms": round(percentile(stats.paper_ms, 0.95), 1),
                    # The names of docs/INTERFACES (make bench): flat figures.
                    "save_p50_ms": round(statistics.median(stats.save_ms), 1),
                    "save_p95_ms": round(percentile(stats.save_ms, 0.95), 1),
                    "save_p99_ms": round(percentile(stats.save_ms, 0.99), 1),
                    "throughput_rps": round(throughput, 1),
                    "ceiling_rps": round(ceiling, 1),
                    "save_answer_ms": {
                        "count": len(stats.save_ms),
                        "p50": round(statistics.median(stats.save_ms), 1),
                        "p95": round(percentile(stats.save_ms, 0.95), 1),
                        "p99": round(percentile(stats.save_ms, 0.99), 1),
                    },
                    "acknowledged_answers": acknowledged,
                    "lost_answers": lost,
                    "submitted_papers": submitted,
                    "retries": stats.retries,
                    **cost,
                    "errors": len(stats.errors),
                    "error_examples": stats.errors[:3],
                }
            )
