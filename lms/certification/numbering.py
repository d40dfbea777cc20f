"""Certificate numbers (证书编号): 22 characters, ``^[YS]\\d{21}$``.

Positions 1–13 (organisation type, organisation code, province, site) are configuration; the year
of issue, the level digit and a 6-digit serial are allocated here. The serial comes from a
counter row per (year, level) incremented by one UPDATE, which the database serialises (a row
lock on PostgreSQL, the write lock on SQLite); a certificate that fails to insert rolls the
increment back with it, so serials have neither duplicates nor gaps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.certification.models import CertificateSerial
from lms.db import db

NUMBER = re.compile(r"^[YS]\d{21}$")


@dataclass(frozen=True)
class Prefix:
    organisation_type: str  # Y: employer organisation, S: social training & evaluation
    organisation_code: str  # 4 digits; 0000 when registered with the province
    province: str  # 2 digits; Shanxi is 14
    site: str  # 6 digits, assigned by the provincial HR department

    def __post_init__(self) -> None:
        text = f"{self.organisation_type}{self.organisation_code}{self.province}{self.site}"
        if not re.fullmatch(r"[YS]\d{12}", text):
            raise ValueError(f"certificate number prefix {text!r} is not [YS] + 12 digits")

    def __str__(self) -> str:
        return f"{self.organisation_type}{self.organisation_code}{self.province}{self.site}"


def configured_prefix() -> Prefix:
    config: dict[str, Any] = current_app.config
    return Prefix(
        config["CERT_ORGANISATION_TYPE"],
        config["CERT_ORGANISATION_CODE"],
        config["CERT_PROVINCE"],
        config["CERT_SITE"],
    )


def format_number(prefix: Prefix, year: int, level: int, serial: int) -> str:
    number = f"{prefix}{year % 100:02d}{level}{serial:06d}"
    assert NUMBER.fullmatch(number), number
    return number


def next_serial(year: int, level: int) -> int:
    """Take the next serial of (year, level) within the current transaction."""
    return take_serials(year, level, 1)


def take_serials(year: int, level: int, count: int) -> int:
    """Take ``count`` consecutive serials of (year, level) within the current transaction and
    return the first."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CertificateSerial)
        .values(year=year, level=level, last_serial=0)
        .on_conflict_do_nothing(index_elements=["year", "level"])
    )
    last = db.session.execute(
        update(CertificateSerial)
        .where(CertificateSerial.year == year, CertificateSerial.level == level)
        .values(last_serial=CertificateSerial.last_serial + count)
        .returning(CertificateSerial.last_serial)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(last) - count + 1


def last_serial(year: int, level: int) -> int:
    value = db.session.scalar(
        select(CertificateSerial.last_serial).where(
            CertificateSerial.year == year, CertificateSerial.level == level
        )
    )
    return int(value or 0)
