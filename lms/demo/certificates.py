"""Certificates the demo's staff earned before this programme (earlier 保育员 and 育婴员
certificates), recorded with a scan and mostly confirmed, so that the licensed-to-work rate has
something to count besides the certificates the demo issues."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import exists, func, insert, select

from lms.accounts.models import User
from lms.certification.external import SCAN_PURPOSE
from lms.certification.models import ExternalCertificate, ExternalKind, ExternalStatus
from lms.core.crypto import cipher
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning.models import Enrolment
from lms.org.models import Institution, Post, Staff

ISSUERS = {
    ExternalKind.BAOYUYUAN: "山西省职业技能鉴定指导中心",
    ExternalKind.YUYINGYUAN: "长治市职业技能鉴定中心",
    ExternalKind.BAOYUSHI: "山西省托育服务协会职业技能等级认定中心",
}


def demo_scan() -> bytes:
    """A stand-in for a photographed certificate (a plain card, no personal data)."""
    image = Image.new("RGB", (480, 340), "#f4efe2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 467, 327), outline="#9a2a2a", width=6)
    draw.rectangle((60, 80, 420, 96), fill="#c9b99a")
    draw.rectangle((60, 140, 360, 152), fill="#c9b99a")
    draw.rectangle((60, 190, 400, 202), fill="#c9b99a")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_external_certificates(seed: int, reference_day: date) -> int:
    """Give most caregivers who are not in this year's training an earlier certificate; the
    share varies by district so that some districts are below the 90% target. Idempotent."""
    if db.session.scalar(select(func.count(ExternalCertificate.id))):
        return 0
    admin_id = db.session.scalar(
        select(User.id).where(User.role == Role.CITY_ADMIN).order_by(User.id)
    )
    if admin_id is None:
        return 0
    rng = random.Random(seed + 7)
    in_training = exists().where(Enrolment.staff_id == Staff.id)
    people = db.session.execute(
        select(Staff.id, Institution.district_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Staff.post == Post.CAREGIVER, Staff.in_post_to.is_(None), ~in_training)
        .order_by(Staff.id)
    ).all()
    share = {district: rng.uniform(0.72, 0.98) for district in {d for _, d in people}}
    scan = cipher().encrypt_bytes(demo_scan(), SCAN_PURPOSE)
    rows = []
    now = utcnow()
    for staff_id, district_id in people:
        if rng.random() > share[district_id]:
            continue
        kind = rng.choices(
            [ExternalKind.BAOYUYUAN, ExternalKind.YUYINGYUAN, ExternalKind.BAOYUSHI], [6, 3, 1]
        )[0]
        issued = reference_day - timedelta(days=rng.randrange(200, 3000))
        expired = kind == ExternalKind.YUYINGYUAN and rng.random() < 0.15
        pending = rng.random() < 0.03
        rows.append(
            {
                "staff_id": staff_id,
                "kind": kind,
                "number": f"{issued:%Y}{rng.randrange(10**9, 10**10)}",
                "issuer": ISSUERS[kind],
                "level": rng.choice([5, 5, 4]),
                "issued_on": issued,
                "expires_on": reference_day - timedelta(days=rng.randrange(5, 150))
                if expired
                else None,
                "scan_encrypted": scan,
                "scan_type": "image/png",
                "status": ExternalStatus.PENDING if pending else ExternalStatus.CONFIRMED,
                "recorded_by_id": admin_id,
                "decided_by_id": None if pending else admin_id,
                "decided_at": None if pending else now,
            }
        )
    if rows:
        db.session.execute(insert(ExternalCertificate), rows)
    return len(rows)
