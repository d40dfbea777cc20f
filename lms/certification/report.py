"""The batch an evaluation organisation uploads to the provincial platform so that the national
look-up (证书信息查询网址) finds its certificates: for a date range, one table of the certificates
issued, reissued and revoked in it, with every field 人社鉴发〔2021〕1号 section 二(一) lists, and a
ZIP of the holders' photos named by certificate number. Photos that do not exist yet are listed
(the table says which), never silently left out.

The ID number is printed in full: the platform matches holders by it. It comes from
``lms.org.services.export_id_numbers`` (city administrators only), which records the export in
the audit log (``certificates.report_exported``); the photos' ZIP is recorded too
(``certificates.photos_exported``)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.certification import photos
from lms.certification.models import Certificate
from lms.core import audit, exports
from lms.core.access import Scope
from lms.core.errors import DomainError
from lms.core.levels import level_label
from lms.core.localtime import from_local, local_day
from lms.db import db
from lms.org.models import Staff
from lms.org.services import export_id_numbers

#: The longest range one batch covers (a year and a day: a calendar year, leap or not).
MAX_DAYS = 366

EVENT_LABELS = {"issued": "发证", "reissued": "补发", "revoked": "撤销"}

HEADER = (
    "变动类型",
    "变动日期",
    "姓名",
    "证件类型",
    "证件号码",
    "职业名称",
    "工种/职业方向",
    "职业技能等级",
    "证书编号",
    "评价机构名称",
    "发证日期",
    "证书信息查询网址",
    "机构信息查询网址",
    "照片文件",
    "撤销原因",
)


@dataclass(frozen=True)
class Entry:
    """One change to report: a certificate issued, reissued or revoked on ``day``."""

    event: str  # a key of EVENT_LABELS
    day: date
    certificate: Certificate


@dataclass(frozen=True)
class Batch:
    start: date
    end: date
    entries: list[Entry]
    #: Certificates (once each) whose holder has no accepted photo yet.
    without_photo: list[Certificate]

    @property
    def certificates(self) -> list[Certificate]:
        """Each certificate once, in number order."""
        seen = {entry.certificate.id: entry.certificate for entry in self.entries}
        return sorted(seen.values(), key=lambda c: c.number)


def check_range(start: date, end: date) -> None:
    if end < start:
        raise DomainError(_l("The end date is before the start date."))
    if (end - start).days >= MAX_DAYS:
        raise DomainError(_l("A report covers at most %(n)d days.", n=MAX_DAYS))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The range's days in Changzhi as UTC moments [from, to)."""
    return (
        from_local(datetime.combine(start, time())),
        from_local(datetime.combine(end + timedelta(days=1), time())),
    )


def batch(start: date, end: date) -> Batch:
    """The certificates issued, reissued and revoked from ``start`` to ``end`` (Changzhi days,
    both included), in date then number order. A reissue is reported on the day of the
    certificate's latest one (``Certificate.reissued_at``): the platform needs its current state."""
    check_range(start, end)
    low, high = _bounds(start, end)
    entries = [
        Entry("issued", c.issued_on, c)
        for c in db.session.scalars(
            select(Certificate).where(Certificate.issued_on.between(start, end))
        )
    ]
    entries += [
        Entry("reissued", local_day(c.reissued_at), c)
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.reissued_at >= low, Certificate.reissued_at < high
            )
        )
        if c.reissued_at is not None
    ]
    entries += [
        Entry("revoked", local_day(c.revoked_at), c)
        for c in db.session.scalars(
            select(Certificate).where(Certificate.revoked_at >= low, Certificate.revoked_at < high)
        )
        if c.revoked_at is not None
    ]
    entries.sort(key=lambda e: (e.day, e.certificate.number, e.event))
    result = Batch(start, end, entries, [])
    with_photo = photos.with_accepted_photo({c.staff_id for c in result.certificates})
    missing = [c for c in result.certificates if c.staff_id not in with_photo]
    return Batch(start, end, entries, missing)


def photo_name(certificate: Certificate) -> str:
    return f"{certificate.number}.jpg"


def rows(report: Batch, id_number: Callable[[Staff], str]) -> list[list[Any]]:
    lookup = current_app.config["CERT_LOOKUP_URL"]
    organisation_url = current_app.config["CERT_ORGANISATION_URL"]
    missing = {c.id for c in report.without_photo}
    table = []
    for entry in report.entries:
        c = entry.certificate
        table.append(
            [
                EVENT_LABELS[entry.event],
                entry.day,
                c.holder_name,
                "居民身份证",
                id_number(c.staff),
                c.occupation,
                "--",
                str(level_label(c.level)),
                c.number,
                c.organisation,
                c.issued_on,
                lookup,
                organisation_url,
                "（无照片）" if c.id in missing else photo_name(c),
                c.revoke_reason if entry.event == "revoked" else "",
            ]
        )
    return table


def tables(report: Batch, scope: Scope, formats: Sequence[str]) -> dict[str, bytes]:
    """The report as CSV and/or XLSX: one export of full ID numbers, which
    ``export_id_numbers`` (the one home of full numbers) allows a city administrator only and
    records once in the audit log (``certificates.report_exported``), whatever the formats."""
    holders = [c.staff for c in report.certificates]
    id_number = export_id_numbers(
        holders,
        scope,
        full=True,
        export="certificates",
        start=report.start.isoformat(),
        end=report.end.isoformat(),
        rows=len(report.entries),
        formats=list(formats),
    )
    table = rows(report, id_number)
    return {fmt: exports.table_bytes(fmt, HEADER, table) for fmt in formats}


def photos_zip(report: Batch) -> bytes:
    """The holders' photos named ``<certificate number>.jpg``; holders without one are left
    out here and listed in the table and on the page. A batch without a single photo is
    refused (no empty archive); making one is recorded in the audit log."""
    missing = {c.id for c in report.without_photo}
    wanted = [c for c in report.certificates if c.id not in missing]
    if not wanted:
        raise DomainError(_l("No holder in these dates has an accepted photo: no file was made."))
    out = io.BytesIO()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as bundle:  # JPEGs do not compress
        for certificate in wanted:
            jpeg = photos.jpeg_of(certificate.staff_id)
            if jpeg is not None:
                bundle.writestr(photo_name(certificate), jpeg)
                count += 1
    audit.record(
        "certificates.photos_exported",
        None,
        start=report.start.isoformat(),
        end=report.end.isoformat(),
        photos=count,
    )
    return out.getvalue()


def base_name(report: Batch) -> str:
    return f"certificates-{report.start:%Y%m%d}-{report.end:%Y%m%d}"


def write(report: Batch, folder: Path, scope: Scope) -> list[Path]:
    """The CSV, the XLSX (one export, audited once) and the photos' ZIP, when any holder has a
    photo, in ``folder`` (the CLI's batch)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = base_name(report)
    written = []
    for fmt, data in tables(report, scope, ("csv", "xlsx")).items():
        path = folder / f"{name}.{fmt}"
        path.write_bytes(data)
        written.append(path)
    if len(report.without_photo) < len(report.certificates):
        path = folder / f"{name}-photos.zip"
        path.write_bytes(photos_zip(report))
        written.append(path)
    return written
