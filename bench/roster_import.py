"""Roster import of 100,000 rows: full check + encryption + insert, and the re-import of the
same file (all unchanged). Baseline in the same run: reading the same CSV with the csv module and
bulk-inserting its rows unchecked and unencrypted — the floor any importer pays."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select

from bench.common import databases, emit, make_bench_app, migrate, note, size
from lms.core import idnumber
from lms.db import db, utcnow
from lms.demo.seed import DemoOptions, seed_demo
from lms.org.models import Gender, Institution, Post, Staff
from lms.org.roster import COLUMNS, apply_plan, plan_import

ROWS = size(100_000, 300)
INSTITUTIONS = size(280, 40)


def roster_csv(institutions: list[str], rows: int) -> bytes:
    rng = random.Random(1)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS if column.required])
    for number in range(rows):
        female = rng.random() < 0.95
        birth = date(1970, 1, 1) + timedelta(days=number % 12000)
        sequence = (number // 12000) * 2 + (0 if female else 1)
        writer.writerow(
            [
                rng.choice("王李张刘郭赵杨武")
                + rng.choice("丽娟敏静芳霞艳燕")
                + rng.choice("玲红婷雪"),
                "女" if female else "男",
                idnumber.synthesize("140402", birth, sequence),
                f"13{number:09d}",
                rng.choice(institutions),
                "保育人员",
                "2022-09-01",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def baseline(content: bytes, institution_ids: dict[str, int]) -> float:
    """Read the CSV and insert its rows with no checks and no encryption; then remove them (only
    them: the staff rows made after the highest id present before)."""
    before = db.session.scalar(select(func.max(Staff.id))) or 0
    started = time.perf_counter()
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    next(reader)
    now = utcnow()
    rows = [
        {
            "name": name,
            "gender": Gender.FEMALE if gender == "女" else Gender.MALE,
            "id_number_encrypted": number.encode(),
            "id_number_masked": number[:6],
            "id_number_hash": hashlib.sha256(number.encode()).hexdigest(),
            "phone": phone,
            "institution_id": institution_ids[institution],
            "post": Post.CAREGIVER,
            "in_post_from": date.fromisoformat(start),
            "created_at": now,
            "updated_at": now,
        }
        for name, gender, number, phone, institution, _post, start in reader
    ]
    for index in range(0, len(rows), 2000):
        db.session.execute(insert(Staff), rows[index : index + 2000])
    db.session.commit()
    seconds = time.perf_counter() - started
    db.session.execute(delete(Staff).where(Staff.id > before))
    db.session.commit()
    return seconds


def measure(database: str, url: str) -> None:
    migrate(url)
    with tempfile.TemporaryDirectory() as instance:
        app = make_bench_app(url, instance)
        with app.app_context():
            seed_demo(DemoOptions(trainees=0, institutions=INSTITUTIONS))
            db.session.commit()
            institution_ids = dict(
                db.session.execute(select(Institution.name, Institution.id)).all()
            )
            content = roster_csv(sorted(institution_ids), ROWS)
            base = baseline(content, institution_ids)

            started = time.perf_counter()
            plan = plan_import("roster.csv", content, scope=None)
            assert not plan.errors, plan.errors[:3]
            result = apply_plan(plan)
            db.session.commit()
            seconds = time.perf_counter() - started
            assert result.created == ROWS

            started = time.perf_counter()
            again = apply_plan(plan_import("roster.csv", content, scope=None))
            db.session.commit()
            reimport = time.perf_counter() - started
            assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS)
            db.session.remove()
        from lms.db import db as database_handle

        assert database_handle.engine is not None
        database_handle.engine.dispose()
    emit(
        {
            "bench": "roster_import",
            "database": database,
            "rows": ROWS,
            "seconds": round(seconds, 2),
            "reimport_seconds": round(reimport, 2),
            "baseline_seconds": round(base, 2),
            "ratio_to_baseline": round(seconds / base, 2),
            "rows_per_second": round(ROWS / seconds),
        }
    )


def run() -> None:
    for name, database in databases():
        note(f"roster_import on {name}: generating {ROWS} rows and importing…")
        with database() as url:
            measure(name, url)
