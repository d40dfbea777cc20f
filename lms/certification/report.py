"""The batch an evaluation organisation uploads to the provincial platform so that the national
look-up (证书信息查询网址) finds its certificates: for a date range, one table of the certificates
issued, reissued and revoked in it, with every field 人社鉴发〔2021〕1号 section 二(一) lists, and a
ZIP of the holders' photos named by certificate number. Photos that do not exist yet are listed
(the table says which), never silently left out.

The ID number is printed in full: the platform matches holders by it. Making the batch is
therefore recorded in the audit log (``certificates.report_exported``)."""

from __future__ import annotations

import io
import zipfile
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
from lms.core.audit import AuditEvent
from lms.core.errors import DomainError
from lms.core.levels import level_label
from lms.core.localtime import from_local, local_day
from lms.db import db
from lms.org.services import decrypt_id_number

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
    both included), in date then number order."""
    check_range(start, end)
    low, high = _bounds(start, end)
    entries = [
        Entry("issued", c.issued_on, c)
        for c in db.session.scalars(
            select(Certificate).where(Certificate.issued_on.between(start, end))
        )
    ]
    reissues = db.session.execute(
        select(AuditEvent.at, Certificate)
        .join(Certificate, Certificate.id == AuditEvent.target_id)
        .where(
            AuditEvent.action == "certificate.reissued",
            AuditEvent.target_type == Certificate.__tablename__,
            AuditEvent.at >= low,
            AuditEvent.at < high,
        )
    )
    entries += [Entry("reissued", local_day(at), c) for at, c in reissues]
    entries += [
        Entry("revoked", local_day(c.revoked_at), c)
        for c in db.session.scalars(
            select(Certificate).where(Certificate.revoked_at >= low, Certificate.revoked_at < high)
        )
        if c.revoked_at is not None
    ]
    entries.sort(key=lambda e: (e.day, e.certificate.number, e.event))
    result = Batch(start, end, entries, [])
    missing = [c for c in result.certificates if not _has_photo(c.staff_id)]
    return Batch(start, end, entries, missing)


def _has_photo(staff_id: int) -> bool:
    return photos.jpeg_of(staff_id) is not None


def photo_name(certificate: Certificate) -> str:
    return f"{certificate.number}.jpg"


def rows(report: Batch) -> list[list[Any]]:
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
                decrypt_id_number(c.staff),
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


def table(report: Batch, fmt: str) -> bytes:
    """The report as CSV or XLSX; recorded in the audit log (full ID numbers)."""
    audit.record(
        "certificates.report_exported",
        None,
        start=report.start.isoformat(),
        end=report.end.isoformat(),
        rows=len(report.entries),
        format=fmt,
    )
    return exports.table_bytes(fmt, HEADER, rows(report))


def photos_zip(report: Batch) -> bytes:
    """The holders' photos named ``<certificate number>.jpg``; holders without one are left
    out here and listed in the table and on the page."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as bundle:  # JPEGs do not compress
        for certificate in report.certificates:
            jpeg = photos.jpeg_of(certificate.staff_id)
            if jpeg is not None:
                bundle.writestr(photo_name(certificate), jpeg)
    return out.getvalue()


def base_name(report: Batch) -> str:
    return f"certificates-{report.start:%Y%m%d}-{report.end:%Y%m%d}"


def write(report: Batch, folder: Path) -> list[Path]:
    """The CSV, the XLSX and the photos' ZIP in ``folder`` (the CLI's batch)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = base_name(report)
    written = []
    for fmt in ("csv", "xlsx"):
        path = folder / f"{name}.{fmt}"
        path.write_bytes(table(report, fmt))
        written.append(path)
    path = folder / f"{name}-photos.zip"
    path.write_bytes(photos_zip(report))
    written.append(path)
    return written
