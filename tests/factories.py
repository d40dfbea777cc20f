"""Factories for test data: each builds one object with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core import idnumber
from lms.core.roles import Role
from lms.db import db
from lms.org.models import District, Gender, Institution, InstitutionType, Post, Staff
from lms.org.services import protect_id_number
from tests.conftest import TEST_PASSWORD

_counter = itertools.count(1)

DISTRICTS = {"140403": "潞州区", "140404": "上党区", "140405": "屯留区"}


def make_district(code: str = "140403") -> District:
    district = db.session.scalar(select(District).where(District.code == code))
    if district is None:
        district = District(
            code=code, name=DISTRICTS.get(code, f"测试区{code}"), position=int(code[-2:])
        )
        db.session.add(district)
        db.session.flush()
    return district


def make_institution(district: District | None = None, **values: Any) -> Institution:
    district = district or make_district()
    number = next(_counter)
    institution = Institution(
        name=values.pop("name", f"{district.name}测试社区托育点{number}"),
        district_id=district.id,
        type=values.pop("type", InstitutionType.COMMUNITY_POINT),
        registered_places=values.pop("registered_places", 30),
        **values,
    )
    db.session.add(institution)
    db.session.flush()
    return institution


def new_id_number(
    gender: Gender = Gender.FEMALE, region: str = "140402", birth: date = date(1990, 5, 17)
) -> str:
    """A valid, unique ID number."""
    number = next(_counter)
    sequence = (number % 499) * 2 + (1 if gender == Gender.MALE else 0)
    # Forty birth years at most: a long run (the access matrix, then org) would otherwise push
    # birth dates back until the age check (16 to 80) refused them.
    shifted = date(birth.year - (number // 499) % 40, birth.month, birth.day)
    return idnumber.synthesize(region, shifted, sequence)


def new_phone() -> str:
    return f"139{next(_counter):08d}"


def make_staff(institution: Institution | None = None, **values: Any) -> Staff:
    institution = institution or make_institution()
    gender = values.pop("gender", Gender.FEMALE)
    protected = protect_id_number(values.pop("id_number", None) or new_id_number(gender))
    staff = Staff(
        name=values.pop("name", "王丽"),
        gender=gender,
        id_number_encrypted=protected.encrypted,
        id_number_hash=protected.hash,
        id_number_masked=protected.masked,
        phone=values.pop("phone", None) or new_phone(),
        institution_id=institution.id,
        post=values.pop("post", Post.CAREGIVER),
        in_post_from=values.pop("in_post_from", date(2020, 9, 1)),
        **values,
    )
    db.session.add(staff)
    db.session.flush()
    return staff


def make_user(role: Role = Role.CITY_ADMIN, **links: Any) -> User:
    """An account whose password is ``TEST_PASSWORD``; the scope link is made when missing."""
    if role == Role.DISTRICT_ADMIN:
        links.setdefault("district", make_district())
    if role == Role.INSTITUTION_MANAGER:
        links.setdefault("institution", make_institution())
    if role == Role.TRAINEE:
        links.setdefault("staff", make_staff())
    number = next(_counter)
    return accounts.create_user(
        username=links.pop("username", f"{role.value}{number}"),
        password=links.pop("password", TEST_PASSWORD),
        role=role,
        display_name=links.pop("display_name", f"测试{role.label}{number}"),
        chosen_by_user=True,
        **links,
    )
