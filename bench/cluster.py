"""The exam on the production layout (docs/deploy.md): nginx in front of the web nodes, one
PostgreSQL, one Redis, two Celery workers — all started by ``lms.testing.cluster.Cluster``.

Two runs on the same database: one web node, then two. In each, every candidate opens the
paper, autosaves every answer (through nginx) and hands in; a bulk certificate job is started
when the autosave phase begins and must finish on the Celery workers. In the two-node run one
node is killed with SIGKILL when half the answers are in: the candidates' phones retry what
failed (bench/exam_client.py) and carry on through the other node. Afterwards every
acknowledged answer is compared with the database, and no paper may have been handed in twice.
PostgreSQL only (the nodes share it); without it the benchmark says so and measures nothing."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update

from bench.common import SMOKE, databases, emit, make_bench_app, migrate, note, size
from bench.exam_client import (
    Candidate,
    Client,
    Stats,
    answer_all,
    everyone,
    hand_in,
    open_paper,
    percentile,
    sign_in,
)
from bench.exam_load import SECRET_KEY, lost_answers, prepare
from lms.testing.cluster import Cluster

CANDIDATES = int(os.environ.get("BENCH_CLUSTER_CANDIDATES", str(size(1700, 20))))
CERTIFICATES = int(os.environ.get("BENCH_CLUSTER_CERTIFICATES", str(size(200, 10))))
#: Per node, as deploy.md §5 scaled to this machine: one process per CPU, four threads each.
WEB_OPTIONS = ["--worker-class", "gthread", "--workers", str(os.cpu_count() or 2)]
WEB_OPTIONS += ["--threads", "4", "--backlog", "4096", "--keep-alive", "30"]
CONNECTIONS = int(os.environ.get("BENCH_CLUSTER_CONNECTIONS", "16"))
#: (web nodes, kill one mid-exam and issue certificates meanwhile): the full benchmark compares
#: one node with two, then loses one of two; the smoke size only the last.
#: BENCH_CLUSTER_RUNS names them, e.g. "1,2kill".
RUNS = [
    (int(run.removesuffix("kill")), run.endswith("kill"))
    for run in os.environ.get("BENCH_CLUSTER_RUNS", "2kill" if SMOKE else "1,2,2kill").split(",")
]
REDIS_URL = (
    os.environ.get("LMS_BENCH_REDIS_URL")
    or os.environ.get("LMS_TEST_REDIS_URL")
    or "redis://127.0.0.1:6379/14"
)


def cluster_env(url: str, folder: str, queue: str) -> dict[str, str]:
    # The data key the world was seeded with (photos, ID numbers): the workers decrypt them
    # to render certificates.
    data_key = make_bench_app(url, folder).config["DATA_KEY"]
    return {
        **os.environ,
        "LMS_ENV": "production",
        "LMS_DATABASE_URL": url,
        "LMS_REDIS_URL": REDIS_URL,
        "LMS_CELERY_QUEUE": queue,
        "LMS_INSTANCE_PATH": folder,
        "LMS_SECRET_KEY": SECRET_KEY,
        "LMS_DATA_KEY": data_key,
        "LMS_PROXY_HOPS": "1",
        "LMS_CERT_FONT_CACHE": str(Path(__file__).parent.parent / ".cache" / "fonts"),
        "LMS_LOGIN_RATE_LIMIT": os.environ.get("BENCH_CLUSTER_LOGIN_LIMIT", "100000 per minute"),
    }


def prepare_certificates(url: str, folder: str) -> int:
    """Passed candidates without certificates (as certificates_bulk does); returns how many
    are eligible."""
    from bench.certificates_bulk import add_passed_candidates, give_photos
    from lms.certification import render, services
    from lms.db import db
    from lms.demo.results import seed_results
    from lms.demo.seed import DemoOptions

    app = make_bench_app(url, folder)
    with app.app_context():
        passed = seed_results(DemoOptions().seed)
        db.session.commit()
        add_passed_candidates(max(0, CERTIFICATES - passed))
        give_photos()
        render.prepare()
        eligible = len(services.eligible())
        db.session.remove()
    return eligible


def start_certificates(url: str, folder: str, queue: str) -> int:
    """The bulk issue, as the button does, queued for the Celery workers; returns the job."""
    from lms.certification import bulk
    from lms.db import db

    app = make_bench_app(url, folder)
    app.config.update(REDIS_URL=REDIS_URL, CELERY_QUEUE=queue)
    with app.app_context():
        job = bulk.submit(None)
        db.session.commit()  # dispatched to the queue once committed
        job_id = job.id
        db.session.remove()
    return job_id


def job_state(url: str, job_id: int) -> tuple[str, int]:
    from lms.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        status, error = connection.execute(
            text("SELECT status, error FROM jobs WHERE id = :id"), {"id": job_id}
        ).one()
        if error:
            note(f"  certificate job: {error}")
        rendered = connection.execute(
            text("SELECT count(*) FROM certificates WHERE pdf_sha256 IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    return str(status), int(rendered)


def reset_exam(url: str, candidate_ids: list[int]) -> None:
    """The benchmark's attempts back to not started, without answers: the next run sits the
    same papers (the certificate candidates' passed attempts stay as they are)."""
    from lms.db import make_engine
    from lms.exams.models import Attempt, AttemptStatus, Response

    engine = make_engine(url)
    with engine.begin() as connection:
        ours = select(Attempt.id).where(Attempt.candidate_id.in_(candidate_ids))
        connection.execute(Response.__table__.delete().where(Response.attempt_id.in_(ours)))
        connection.execute(
            text(
                "DELETE FROM audit_events WHERE action LIKE 'exam.%' AND target_id IN ("
                "SELECT id FROM exam_attempts WHERE candidate_id = ANY(:ids))"
            ),
            {"ids": candidate_ids},
        )
        connection.execute(
            update(Attempt)
            .where(Attempt.candidate_id.in_(candidate_ids))
            .values(
                status=AttemptStatus.IN_PROGRESS,
                started_at=None,
                deadline_at=None,
                submitted_at=None,
                auto_submitted=False,
                score=None,
                passed=None,
            )
        )
    engine.dispose()


def handed_in(url: str, candidate_ids: list[int]) -> int:
    """The benchmark's papers the database holds as handed in."""
    from lms.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(
            text(
                "SELECT count(*) FROM exam_attempts "
                "WHERE status = 'submitted' AND candidate_id = ANY(:ids)"
            ),
            {"ids": candidate_ids},
        ).scalar_one()
    engine.dispose()
    return int(count)


def double_submissions(url: str) -> int:
    """Papers handed in more than once (the audit log records each hand-in)."""
    from lms.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT target_id FROM audit_events "
                "WHERE action = 'exam.submitted' GROUP BY target_id HAVING count(*) > 1) twice"
            )
        ).scalar_one()
    engine.dispose()
    return int(rows)


async def sit_exam(
    cluster: Cluster, candidates: dict[str, int], kill_at: float | None
) -> tuple[Stats, dict[str, float], list[Candidate]]:
    """The exam through nginx; with ``kill_at`` (a share of all answers) node 0 is killed with
    SIGKILL once that share of the answers has been sent."""
    client = Client(cluster.base, CONNECTIONS)
    people = [Candidate(username, cid) for username, cid in sorted(candidates.items())]
    setup = Stats()
    await everyone([lambda who=who: sign_in(client, who, setup) for who in people])
    if setup.errors:
        raise RuntimeError(f"sign-in failed: {setup.errors[:5]}")
    stats = Stats()
    started = time.perf_counter()
    await everyone([lambda who=who: open_paper(client, who, stats) for who in people])
    opened = time.perf_counter()
    total = sum(len(who.questions) for who in people)
    killed: dict[str, float] = {}

    async def pause() -> None:
        if kill_at is not None and not killed and stats.saves >= total * kill_at:
            killed["at"] = time.perf_counter() - opened
            killed["saves_before"] = len(stats.save_ms)
            await asyncio.get_running_loop().run_in_executor(None, cluster.nodes[0].kill)

    rng = random.Random(7)
    await everyone(
        [
            lambda who=who: answer_all(client, who, stats, random.Random(rng.random()), pause)
            for who in people
        ]
    )
    answered = time.perf_counter()
    await everyone([lambda who=who: hand_in(client, who, stats) for who in people])
    await client.close()
    seconds = {
        "exam": time.perf_counter() - started,
        "papers": opened - started,
        "autosave": answered - opened,
        **{f"kill_{k}": v for k, v in killed.items()},
    }
    return stats, seconds, people


def one_run(
    url: str, folder: str, candidates: dict[str, int], nodes: int, crash: bool
) -> dict[str, Any]:
    queue = f"lms-bench-{uuid.uuid4().hex[:8]}"
    run_folder = Path(tempfile.mkdtemp(prefix=f"nodes-{nodes}-", dir=folder))
    reset_exam(url, list(candidates.values()))
    env = cluster_env(url, folder, queue)
    with Cluster(env, run_folder, nodes=nodes, workers=2, web_options=WEB_OPTIONS) as cluster:
        note(f"  {nodes} node(s) behind nginx at {cluster.base}; {len(candidates)} candidates")
        job_id = start_certificates(url, folder, queue) if crash else None
        job_started = time.perf_counter()
        stats, phases, people = asyncio.run(sit_exam(cluster, candidates, 0.5 if crash else None))
        status, rendered = None, 0
        if job_id is not None:
            deadline = time.monotonic() + 1800
            status, rendered = job_state(url, job_id)
            while status not in ("finished", "failed") and time.monotonic() < deadline:
                time.sleep(0.5)
                status, rendered = job_state(url, job_id)
        job_seconds = time.perf_counter() - job_started
        if keep := os.environ.get("BENCH_CLUSTER_LOGS"):  # the nodes', workers' and nginx's
            shutil.copytree(run_folder, Path(keep) / run_folder.name, dirs_exist_ok=True)
        by_workers = sum(
            (run_folder / f"worker-{n}.log").read_text(errors="replace").count("succeeded")
            for n in range(2)
        )
    acknowledged, lost, _every_paper = lost_answers(url, people)
    submitted = handed_in(url, list(candidates.values()))
    after_kill = stats.save_ms[int(phases.get("kill_saves_before", 0)) :]
    return {
        "bench": "cluster",
        "database": "postgresql",
        "nodes": nodes,
        "node_killed": crash,
        "celery_workers": 2,
        "candidates": len(candidates),
        "connections": CONNECTIONS,
        "gunicorn_per_node": " ".join(WEB_OPTIONS[1:6:2]),
        "exam_seconds": round(phases["exam"], 1),
        "autosave_seconds": round(phases["autosave"], 1),
        "autosave_rps": round(stats.saves / phases["autosave"], 1),
        "requests": stats.requests,
        "throughput_rps": round(stats.requests / phases["exam"], 1),
        "save_p50_ms": round(statistics.median(stats.save_ms), 1),
        "save_p95_ms": round(percentile(stats.save_ms, 0.95), 1),
        "save_p99_ms": round(percentile(stats.save_ms, 0.99), 1),
        "save_p95_after_kill_ms": round(percentile(after_kill, 0.95), 1) if after_kill else None,
        "killed_after_seconds": round(phases["kill_at"], 1) if "kill_at" in phases else None,
        "paper_p95_ms": round(percentile(stats.paper_ms, 0.95), 1),
        "retries": stats.retries,
        "errors": len(stats.errors),
        "error_examples": stats.errors[:3],
        "acknowledged_answers": acknowledged,
        "lost_answers": lost,
        "submitted_papers": submitted,
        "double_submissions": double_submissions(url),
        "certificate_job": status,
        "certificates_rendered": rendered,
        "certificate_job_seconds": round(job_seconds, 1),
        "worker_tasks_succeeded": by_workers,
    }


def run() -> None:
    chosen = [(name, make) for name, make in databases() if name == "postgresql"]
    if not chosen:
        note("cluster: PostgreSQL not available or not chosen; the web nodes need a shared one")
        return
    for _name, make_database in chosen:
        with make_database() as url, tempfile.TemporaryDirectory(prefix="lms-cluster-") as folder:
            note(f"cluster: preparing {CANDIDATES} candidates and {CERTIFICATES} certificates…")
            migrate(url)
            candidates = prepare(url, folder, CANDIDATES, spare=CERTIFICATES)
            eligible = prepare_certificates(url, folder)
            note(f"  {eligible} certificates to issue during the exam")
            for nodes, crash in RUNS:
                emit({**one_run(url, folder, candidates, nodes, crash), "eligible": eligible})
