"""Every benchmark of ``make bench`` runs here at its smoke size (``python -m bench --smoke``):
a change that breaks one fails the suite instead of rotting until the next measurement.

Each prints the JSON lines of docs/INTERFACES (``make bench``) with sane figures: no errors, no
lost answers, every certificate made, positive timings. SQLite when LMS_TEST_DATABASE_URL is not
set; PostgreSQL (a throw-away database made next to the one it names) when it is — ``make test``
runs the suite once each way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import BENCHMARKS, main

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "postgresql" if os.environ.get("LMS_TEST_DATABASE_URL") else "sqlite"

#: The fields docs/INTERFACES promises for each benchmark's lines.
FIELDS = {
    "roster_import": {"rows", "seconds"},
    "exam_load": {
        "database",
        "candidates",
        "errors",
        "lost_answers",
        "save_p50_ms",
        "save_p95_ms",
        "save_p99_ms",
        "throughput_rps",
        "ceiling_rps",
    },
    "certificates_bulk": {"count", "seconds", "single_ms", "baseline_per_cert_ms"},
    "dashboard": {"staff", "institutions", "dashboard_p50_ms", "api_p50_ms"},
    "cluster": {
        "nodes",
        "candidates",
        "errors",
        "lost_answers",
        "double_submissions",
        "save_p95_ms",
        "certificate_job",
    },
}
#: Figures that are times or rates: all of them must be above zero.
TIMINGS = {
    "roster_import": ["seconds", "reimport_seconds", "baseline_seconds", "rows_per_second"],
    "exam_load": [
        "save_p50_ms",
        "save_p95_ms",
        "save_p99_ms",
        "throughput_rps",
        "ceiling_rps",
        "exam_seconds",
    ],
    "certificates_bulk": ["seconds", "single_ms", "baseline_per_cert_ms", "per_cert_ms"],
    "dashboard": [
        "dashboard_p50_ms",
        "api_p50_ms",
        "dashboard_after_change_ms",
        "api_after_change_ms",
        "baseline_p50_ms",
    ],
    "cluster": ["exam_seconds", "autosave_rps", "save_p50_ms", "save_p95_ms"],
}


def run_smoke(name: str) -> list[dict[str, Any]]:
    env = {**os.environ, "LMS_BENCH_DATABASES": DATABASE}
    for variable in (
        "BENCH_EXAM_CANDIDATES",
        "BENCH_CERTIFICATES",
        "BENCH_DASHBOARD_SIZES",
        "BENCH_CLUSTER_CANDIDATES",
        "BENCH_CLUSTER_CERTIFICATES",
    ):
        env.pop(variable, None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--only", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{name} printed no measurement:\n{done.stderr[-2000:]}"
    return lines


def check_common(name: str, line: dict[str, Any]) -> None:
    assert line["bench"] == name
    assert line["database"] == DATABASE
    assert FIELDS[name] <= line.keys(), FIELDS[name] - line.keys()
    for timing in TIMINGS[name]:
        assert line[timing] > 0, (timing, line)


def test_roster_import_smoke() -> None:
    (line,) = run_smoke("roster_import")
    check_common("roster_import", line)
    assert line["rows"] == 300


def test_exam_load_smoke() -> None:
    (line,) = run_smoke("exam_load")
    check_common("exam_load", line)
    assert line["candidates"] == 20
    assert line["errors"] == 0, line["error_examples"]
    assert line["lost_answers"] == 0
    assert line["acknowledged_answers"] == 20 * line["questions"]
    assert line["submitted_papers"] == 20
    assert line["save_p50_ms"] <= line["save_p95_ms"] <= line["save_p99_ms"]


def test_certificates_bulk_smoke() -> None:
    (line,) = run_smoke("certificates_bulk")
    check_common("certificates_bulk", line)
    assert line["count"] == line["certificates"] == 30
    assert line["serials_contiguous"] is True


def test_dashboard_smoke() -> None:
    (line,) = run_smoke("dashboard")
    check_common("dashboard", line)
    assert (line["staff"], line["institutions"]) == (800, 60)


def test_cluster_smoke() -> None:
    """Two web nodes behind nginx, two Celery workers, PostgreSQL and Redis: one node is
    killed with SIGKILL half-way through the answers; the candidates' retries carry on through
    the other, nothing acknowledged is lost, no paper is handed in twice, and the certificate
    job started during the exam finishes on the workers."""
    if DATABASE != "postgresql":
        pytest.skip("the web nodes share a PostgreSQL database: set LMS_TEST_DATABASE_URL")
    if not os.environ.get("LMS_TEST_REDIS_URL"):
        pytest.skip("the web nodes share Redis: set LMS_TEST_REDIS_URL")
    (line,) = run_smoke("cluster")
    check_common("cluster", line)
    assert (line["nodes"], line["node_killed"], line["candidates"]) == (2, True, 20)
    assert line["errors"] == 0, line["error_examples"]
    assert line["lost_answers"] == 0 and line["double_submissions"] == 0
    assert line["acknowledged_answers"] == 20 * 100
    assert line["submitted_papers"] == 20
    assert line["retries"] > 0  # the killed node's requests were retried on the other
    assert line["certificate_job"] == "finished"
    assert line["certificates_rendered"] == line["eligible"] > 0
    assert line["worker_tasks_succeeded"] >= 2  # the plan and at least one part, on Celery


def test_every_benchmark_has_a_smoke_test() -> None:
    assert set(BENCHMARKS) == set(FIELDS) == set(TIMINGS)
    for name in BENCHMARKS:
        assert f"def test_{name}_smoke" in Path(__file__).read_text()


def test_a_failing_benchmark_is_named_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = []

    def broken() -> None:
        raise RuntimeError("FOREIGN KEY constraint failed")

    monkeypatch.setitem(sys.modules, "bench.first", types.SimpleNamespace(run=broken))
    monkeypatch.setitem(
        sys.modules, "bench.second", types.SimpleNamespace(run=lambda: ran.append("second"))
    )
    monkeypatch.setattr("bench.__main__.BENCHMARKS", ["first", "second"])
    monkeypatch.setenv("BENCH_SMOKE", "1")

    assert main([]) == 1
    assert ran == ["second"]
    err = capsys.readouterr().err
    assert "FOREIGN KEY constraint failed" in err
    assert "bench: first FAILED" in err
    assert "bench: failed: first" in err
