"""Build the demo world: the 12 districts, institutions of every type, staff and accounts.

Deterministic (a fixed random seed) and idempotent: running it again adds nothing that exists.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core import idnumber as idn
from lms.core.localtime import LOCAL_ZONE
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.demo import data
from lms.demo.certificates import seed_external_certificates
from lms.demo.exams import EXAM_TRAINEE_NAME, seed_exam_session
from lms.demo.journeys import RETAKE_TRAINEE_NAME
from lms.demo.photos import seed_photos
from lms.demo.skills import seed_skill_session
from lms.demo.training import enrol_demo_trainee, seed_training
from lms.org.models import District, Gender, Institution, InstitutionType, Post, Staff
from lms.org.services import protect_id_number

DEMO_PASSWORD = "Changzhi-Demo-2026"  # noqa: S105 (published demo sign-in, demo data only)
#: The demo world is anchored to this date so that it is the same whenever it is built.
REFERENCE_DAY = date(2026, 10, 31)
CITY_CENTRE_NAME = "长治市托育综合服务中心"


@dataclass(frozen=True)
class DemoOptions:
    trainees: int = 2000
    institutions: int = 280
    seed: int = 20251122


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    description: str


def seed_demo(options: DemoOptions) -> list[DemoAccount]:
    """Create whatever part of the demo world is missing and return the demo sign-ins."""
    districts = _seed_districts()
    institutions = _seed_institutions(options.seed, districts, options.institutions)
    _seed_staff(random.Random(options.seed), institutions, options.trainees)
    accounts = _seed_accounts(districts)
    seed_training(options.seed, REFERENCE_DAY.year, Path(current_app.config["COURSES_ROOT"]))
    seed_external_certificates(options.seed, REFERENCE_DAY)
    trainee = db.session.scalar(select(User).where(User.role == Role.TRAINEE).order_by(User.id))
    if trainee is not None and trainee.staff_id is not None:
        enrol_demo_trainee(trainee.staff_id, REFERENCE_DAY.year)
    opens = datetime.combine(REFERENCE_DAY, time(8), tzinfo=LOCAL_ZONE)
    seed_exam_session(opens, DEMO_PASSWORD)
    seed_skill_session(opens + timedelta(days=7), DEMO_PASSWORD, options.seed)
    seed_photos()
    return accounts


def _seed_districts() -> dict[str, District]:
    existing = {district.code: district for district in db.session.scalars(select(District))}
    for position, (code, name, _weight, _regions) in enumerate(data.DISTRICTS):
        if code not in existing:
            existing[code] = District(code=code, name=name, position=position)
            db.session.add(existing[code])
    db.session.flush()
    return existing


def _share_out(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), deterministically."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    counts = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for index in order[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _institution_plan(rng: random.Random, total: int) -> Iterator[tuple[int, InstitutionType, str]]:
    """Yield (district index, type, name) for ``total`` institutions."""
    names: set[str] = set()

    def unique(candidates: Iterator[str]) -> str:
        for name in candidates:
            if name not in names:
                names.add(name)
                return name
        raise RuntimeError("name pool exhausted")

    yield 0, InstitutionType.CITY_CENTRE, CITY_CENTRE_NAME
    centres = min(len(data.DISTRICTS), max(total - 1, 0))
    for index in range(centres):
        yield index, InstitutionType.DISTRICT_CENTRE, f"{data.DISTRICTS[index][1]}公办综合托育中心"
    rest = max(total - 1 - centres, 0)
    type_counts = {
        InstitutionType(key): round(rest * share) for key, share in data.TYPE_SHARES.items()
    }
    type_counts[InstitutionType.COMMUNITY_POINT] = rest - sum(type_counts.values())
    weights = [float(entry[2]) for entry in data.DISTRICTS]
    for institution_type, count in type_counts.items():
        for district_index, district_count in enumerate(_share_out(count, weights)):
            district = data.DISTRICTS[district_index][1]
            for _ in range(district_count):
                yield (
                    district_index,
                    institution_type,
                    unique(_names(rng, district, institution_type)),
                )


def _names(rng: random.Random, district: str, kind: InstitutionType) -> Iterator[str]:
    for attempt in range(500):
        street = rng.choice(data.STREETS)
        brand = rng.choice(data.BRANDS)
        suffix = "" if attempt < 50 else str(attempt)
        if kind == InstitutionType.COMMUNITY_POINT:
            yield f"{district}{street}社区托育点{suffix}"
        elif kind == InstitutionType.FAMILY_POINT:
            yield f"{district}{brand}家庭托育点{suffix}"
        elif kind == InstitutionType.KINDERGARTEN_CLASS:
            yield f"{district}{rng.choice(data.KINDERGARTENS)}幼儿园托班{suffix}"
        elif kind == InstitutionType.EMPLOYER_RUN:
            yield f"{district}{rng.choice(data.EMPLOYERS)}职工托育园{suffix}"
        else:
            yield f"{district}{brand}托育中心{suffix}"


def _seed_institutions(seed: int, districts: dict[str, District], total: int) -> list[Institution]:
    existing = {inst.name: inst for inst in db.session.scalars(select(Institution))}
    result = []
    for district_index, kind, name in _institution_plan(random.Random(seed), total):
        district = districts[data.DISTRICTS[district_index][0]]
        institution = existing.get(name)
        if institution is None:
            # Each institution draws from its own generator, so its details do not depend on
            # which other institutions already exist.
            rng = random.Random(f"{seed}:{name}")
            weight = data.STAFF_WEIGHT[kind.value]
            institution = Institution(
                name=name,
                district_id=district.id,
                type=kind,
                is_inclusive=kind != InstitutionType.PRIVATE or rng.random() < 0.5,
                registered_places=weight * data.PLACES_PER_CAREGIVER + rng.randint(0, 10),
                address=(
                    f"山西省长治市{district.name}{rng.choice(data.STREETS)}{rng.randint(1, 300)}号"
                ),
                contact_name=_person_name(rng, Gender.FEMALE),
                contact_phone=f"0355-{rng.randint(2000000, 8999999)}",
            )
            db.session.add(institution)
        result.append(institution)
    db.session.flush()
    return result


def _person_name(rng: random.Random, gender: Gender) -> str:
    pool = data.FEMALE_GIVEN if gender == Gender.FEMALE else data.MALE_GIVEN
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.6 else "")
    return rng.choice(data.SURNAMES) + given


class _People:
    """Draws unique synthetic ID numbers and mobile numbers."""

    PREFIXES = (
        "139",
        "138",
        "135",
        "136",
        "137",
        "150",
        "151",
        "152",
        "158",
        "159",
        "182",
        "183",
        "187",
        "188",
        "130",
        "131",
        "132",
        "155",
        "156",
        "185",
        "186",
        "133",
        "153",
        "180",
        "189",
        "199",
        "177",
    )

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, regions: tuple[str, ...], gender: Gender, age: int) -> str:
        while True:
            region = (
                self.rng.choice(data.INCOMER_REGIONS)
                if self.rng.random() < 0.08
                else self.rng.choice(regions)
            )
            birth = date(REFERENCE_DAY.year - age, 1, 1) - timedelta(days=self.rng.randint(0, 364))
            sequence = self.rng.randint(0, 499) * 2 + (1 if gender == Gender.MALE else 0)
            value = idn.synthesize(region, birth, sequence)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.rng.choice(self.PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value


def _seed_staff(rng: random.Random, institutions: list[Institution], caregivers: int) -> None:
    weights = [
        float(data.STAFF_WEIGHT[inst.type.value]) * rng.uniform(0.7, 1.3) for inst in institutions
    ]
    counts = [max(1, count) for count in _share_out(caregivers, weights)] if institutions else []
    regions_of = {entry[0]: entry[3] for entry in data.DISTRICTS}
    district_codes = {d.id: d.code for d in db.session.scalars(select(District))}
    existing = set(db.session.scalars(select(Staff.id_number_hash)))
    people = _People(rng)
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for institution, count in zip(institutions, counts, strict=True):
        regions = regions_of[district_codes[institution.district_id]]
        posts = (
            [Post.LEAD] + [Post.CAREGIVER] * count + ([Post.OTHER] if rng.random() < 0.3 else [])
        )
        for post in posts:
            gender = (
                Gender.MALE
                if rng.random() < (0.03 if post == Post.CAREGIVER else 0.12)
                else Gender.FEMALE
            )
            age = int(rng.triangular(20, 55, 32)) if post != Post.LEAD else rng.randint(30, 55)
            number = people.id_number(regions, gender, age)
            earliest = date(REFERENCE_DAY.year - age + 19, 9, 1)
            start = max(earliest, date(2012, 3, 1))
            span = max((REFERENCE_DAY - start).days, 1)
            in_post_from = start + timedelta(days=rng.randint(0, span))
            left = post == Post.CAREGIVER and rng.random() < 0.03
            in_post_to = (in_post_from + timedelta(days=rng.randint(30, 700))) if left else None
            if in_post_to and in_post_to > REFERENCE_DAY:
                in_post_to = REFERENCE_DAY
            name, phone = _person_name(rng, gender), people.phone()
            protected = protect_id_number(number)
            if protected.hash in existing:
                continue
            rows.append(
                {
                    "name": name,
                    "gender": gender,
                    "id_number_encrypted": protected.encrypted,
                    "id_number_hash": protected.hash,
                    "id_number_masked": protected.masked,
                    "phone": phone,
                    "institution_id": institution.id,
                    "post": post,
                    "in_post_from": in_post_from,
                    "in_post_to": in_post_to,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for offset in range(0, len(rows), 2000):
        db.session.execute(insert(Staff), rows[offset : offset + 2000])
    db.session.flush()


def _seed_accounts(districts: dict[str, District]) -> list[DemoAccount]:
    city_centre = db.session.scalar(select(Institution).where(Institution.name == CITY_CENTRE_NAME))
    luzhou = districts["140403"]
    trainee_staff = None
    if city_centre is not None:
        trainee_staff = db.session.scalar(
            select(Staff)
            .where(
                Staff.institution_id == city_centre.id,
                Staff.post == Post.CAREGIVER,
                Staff.in_post_to.is_(None),
            )
            .order_by(Staff.id)
        )
    wanted: list[tuple[str, Role, str, dict[str, Any]]] = [
        ("admin", Role.CITY_ADMIN, "市卫健委管理员", {}),
        ("luzhou", Role.DISTRICT_ADMIN, "潞州区管理员", {"district": luzhou}),
        ("examiner", Role.EXAMINER, "考评员（示例）", {}),
        # Two, so that a lesson one edits can be reviewed by the other.
        ("expert", Role.COURSE_EXPERT, "课程专家（示例）", {}),
        ("expert2", Role.COURSE_EXPERT, "课程专家（审核示例）", {}),
    ]
    if city_centre is not None:
        wanted.append(
            (
                "manager",
                Role.INSTITUTION_MANAGER,
                f"{city_centre.name}负责人",
                {"institution": city_centre},
            )
        )
    if trainee_staff is not None:
        wanted.append(
            (trainee_staff.phone, Role.TRAINEE, trainee_staff.name, {"staff": trainee_staff})
        )
    result = []
    for username, role, display_name, links in wanted:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            accounts.create_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display_name,
                chosen_by_user=True,
                **links,
            )
        result.append(DemoAccount(username, role, display_name))
    return result


def demo_accounts() -> list[DemoAccount]:
    """The demo sign-ins present in the database (one per role, and the exam candidate)."""
    result = []
    for role in (
        Role.CITY_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.INSTITUTION_MANAGER,
        Role.EXAMINER,
        Role.COURSE_EXPERT,
        Role.TRAINEE,
    ):
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id).limit(1))
        if user is not None:
            result.append(DemoAccount(user.username, role, user.display_name))
    for username, note in (
        (EXAM_TRAINEE_NAME, _exam_note()),
        (RETAKE_TRAINEE_NAME, _retake_note()),
    ):
        candidate = db.session.scalar(select(User).where(User.username == username))
        if candidate is not None:
            result.append(
                DemoAccount(
                    candidate.username, candidate.role, f"{candidate.display_name}（{note}）"
                )
            )
    return result


def _exam_note() -> str:
    from flask_babel import gettext

    return gettext("completed the course; can sit the open theory exam")


def _retake_note() -> str:
    from flask_babel import gettext

    return gettext("failed the theory; entered for the retake sitting")
