"""The city dashboard and the rates API at city scale: the demo world grown to N staff in M
institutions (rows written directly; the roster import is measured by its own benchmark), about
85% of in-post caregivers certified by us or elsewhere, some revoked, expired or left.

Measured per size, through the WSGI app in this process: the city dashboard page (p50 of
signed-in GETs) and the rates API per district (p50 of bearer-token GETs), both with the figures
cached (nothing changed between requests), each once right after a committed change the rate
counts (a caregiver leaves: ``*_after_change_ms``, the answer checked to show the new count),
and the dashboard once with nothing kept (``dashboard_full_recount_ms``: the first request of a
day or after a change that could not say whose counts it touched). Baseline in the same run: the
sign-in page, a template render without counting."""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import SMOKE, databases, emit, make_bench_app, migrate, note
from lms.core import localtime
from lms.core.access import Scope
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.reports import cache

SIZES = [
    tuple(int(part) for part in size.split("/"))
    for size in os.environ.get(
        "BENCH_DASHBOARD_SIZES",
        "800/60" if SMOKE else "10000/500,100000/5000,1000000/50000",
    ).split(",")
]
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "3" if SMOKE else "15"))
API_URL = "/api/v1/rates?level=district"
CITY = Scope(Role.CITY_ADMIN)
CHUNK = 5000


def grow_world(staff_total: int, institution_total: int, seed: int = 7) -> None:
    """Add institutions, staff and certificates until the world has the given sizes."""
    from lms.certification.models import Certificate, ExternalCertificate
    from lms.grading.models import SkillCandidate, SkillSession
    from lms.org.models import District, Institution, Staff

    rng = random.Random(seed)
    districts = db.session.scalars(select(District.id).order_by(District.position)).all()
    have = db.session.scalar(select(func.count(Institution.id))) or 0
    db.session.execute(
        insert(Institution),
        [
            {
                "name": f"基准托育机构{number:06d}",
                "district_id": districts[number % len(districts)],
                "type": "community_point",
                "registered_places": 60,
            }
            for number in range(have, institution_total)
        ],
    )
    institutions = db.session.scalars(select(Institution.id)).all()
    admin_id = db.session.scalar(select(func.min(SkillSession.created_by_id)))
    skill_session_id = db.session.scalar(select(func.min(SkillSession.id)))
    staff_have = db.session.scalar(select(func.count(Staff.id))) or 0
    first_new = (db.session.scalar(select(func.max(Staff.id))) or 0) + 1
    candidate_id = db.session.scalar(
        select(SkillCandidate.id).where(SkillCandidate.admission_number == "BENCH0")
    )
    today = localtime.today()
    for start in range(staff_have, staff_total, CHUNK):
        rows, ours, theirs = [], [], []
        for number in range(start, min(start + CHUNK, staff_total)):
            left = rng.random() < 0.08
            since = today - timedelta(days=rng.randrange(30, 3650))
            rows.append(
                {
                    "name": f"员工{number}",
                    "gender": "F",
                    "id_number_encrypted": b"\0" * 40,
                    "id_number_hash": hashlib.sha256(f"bench {number}".encode()).hexdigest(),
                    "id_number_masked": "140402********0000",
                    "phone": "13800000000",
                    "institution_id": institutions[number % len(institutions)],
                    "post": "caregiver" if number % 12 else "lead",
                    "in_post_from": since,
                    "in_post_to": today - timedelta(days=rng.randrange(1, 20)) if left else None,
                }
            )
        db.session.execute(insert(Staff), rows)
        ids = range(first_new + start - staff_have, first_new + start - staff_have + len(rows))
        if candidate_id is None:
            candidate_id = db.session.execute(
                insert(SkillCandidate)
                .values(session_id=skill_session_id, staff_id=ids[0], admission_number="BENCH0")
                .returning(SkillCandidate.id)
            ).scalar_one()
        for staff_id in ids:
            draw = rng.random()
            issued = today - timedelta(days=rng.randrange(1, 900))
            if draw < 0.55:
                revoked = rng.random() < 0.01
                ours.append(
                    {
                        "number": f"B{staff_id:021d}",
                        "staff_id": staff_id,
                        "skill_candidate_id": candidate_id,
                        "level": 5,
                        # (year, level, serial) is unique and serials stop at 999999.
                        "year": 2000 + staff_id // 900_000,
                        "serial": staff_id % 900_000 + 1,
                        "holder_name": "员工",
                        "id_number_masked": "140402********0000",
                        "organisation": "长治市托育综合服务中心",
                        "issued_on": issued,
                        "status": "revoked" if revoked else "valid",
                        "revoked_at": utcnow() if revoked else None,
                    }
                )
            elif draw < 0.85:
                expired = rng.random() < 0.03
                theirs.append(
                    {
                        "staff_id": staff_id,
                        "kind": "baoyuyuan",
                        "number": f"E{staff_id}",
                        "issuer": "山西省人力资源和社会保障厅",
                        "issued_on": issued - timedelta(days=2000),
                        "expires_on": issued - timedelta(days=100) if expired else None,
                        "scan_encrypted": b"\0",
                        "scan_type": "image/jpeg",
                        "status": "confirmed",
                        "recorded_by_id": admin_id,
                        "decided_by_id": admin_id,
                        "decided_at": utcnow(),
                    }
                )
        if ours:
            db.session.execute(insert(Certificate), ours)
        if theirs:
            db.session.execute(insert(ExternalCertificate), theirs)
        db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # A live database has planner statistics; freshly bulk-loaded tables do not until
        # autovacuum gets to them, and without them PostgreSQL picks nested loops.
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _timed(client: Any, url: str, headers: dict[str, str] | None = None) -> list[float]:
    samples = []
    for _ in range(REQUESTS):
        samples.append(_once(client, url, headers))
    return samples


def _once(
    client: Any, url: str, headers: dict[str, str] | None = None, expect: int | None = None
) -> float:
    """Seconds for one GET; with ``expect``, the city's in-post count the answer must show."""
    started = time.perf_counter()
    response = client.get(url, headers=headers or {})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    if expect is not None:
        shown = response.get_data(as_text=True)
        assert f"{expect:,}" in shown or str(expect) in shown, (url, expect)
    return elapsed


def _one_leaves(app: Any) -> int:
    """A committed change the rate counts, made as the staff page makes it: a caregiver in
    post leaves today. The next request brings the figures up to date. Returns the city's
    in-post count afterwards, counted afresh, to check the page against."""
    from lms.org.models import Staff
    from lms.reports import rates

    with app.app_context():
        staff = db.session.scalars(
            select(Staff)
            .where(Staff.caregiver_in_post_on(localtime.today()))
            .order_by(func.random())
            .limit(1)
        ).one()
        staff.in_post_to = localtime.today()
        db.session.commit()
        return rates.overall(localtime.today(), CITY).in_post


def measure(url: str, database: str) -> None:
    from lms.accounts.models import User
    from lms.api.services import create_token
    from lms.core.roles import Role
    from lms.demo.seed import DemoOptions, seed_demo

    migrate(url)
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as instance:
        app = make_bench_app(url, instance)
        with app.app_context():
            seed_demo(DemoOptions(trainees=300, institutions=40))
            db.session.commit()
            admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN))
            assert admin is not None
            token, _ = create_token(admin, "bench", district_id=None, days=1)
            db.session.commit()
            admin_login = admin.get_id()
        bearer = {"Authorization": f"Bearer {token}"}
        for staff, institutions in SIZES:
            with app.app_context():
                started = time.perf_counter()
                grow_world(staff, institutions)
                from lms.org.models import Staff

                counted = db.session.scalar(select(func.count(Staff.id)))
                assert counted == staff, f"the world has {counted} staff, not {staff}"
                seconds = time.perf_counter() - started
                note(f"{database}: world of {staff} staff built in {seconds:.0f} s")
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = admin_login
                session["_fresh"] = True
                session["login_at"] = session["seen"] = utcnow().timestamp()
            api_client = app.test_client()
            baseline = _timed(app.test_client(), "/login")
            _once(client, "/dashboard")  # the counts of the day, as any earlier request left them
            in_post = _one_leaves(app)
            api_cold = _once(api_client, API_URL, bearer, expect=in_post)
            in_post = _one_leaves(app)
            dashboard_cold = _once(client, "/dashboard", expect=in_post)
            dashboard = _timed(client, "/dashboard")
            api = _timed(api_client, API_URL, bearer)
            with app.app_context():
                cache.clear()  # a new day, or a change that could not say whose it was
            full_recount = _once(client, "/dashboard")
            emit(
                {
                    "bench": "dashboard",
                    "database": database,
                    "staff": staff,
                    "institutions": institutions,
                    "dashboard_p50_ms": _p50(dashboard),
                    "api_p50_ms": _p50(api),
                    "dashboard_after_change_ms": round(dashboard_cold * 1000, 1),
                    "api_after_change_ms": round(api_cold * 1000, 1),
                    "dashboard_full_recount_ms": round(full_recount * 1000, 1),
                    "baseline_p50_ms": _p50(baseline),
                    "dashboard_vs_baseline": round(_p50(dashboard) / _p50(baseline), 1),
                    "api_vs_baseline": round(_p50(api) / _p50(baseline), 1),
                    "requests": REQUESTS,
                }
            )


def run() -> None:
    for name, database in databases():
        with database() as url:
            measure(url, name)
