"""The batch for the provincial platform: issued, reissued and revoked certificates of a date
range with every field of the notice, and the photos named by certificate number."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from PIL import Image, ImageDraw

from lms.certification import photos, report, services
from lms.certification.models import HolderPhoto
from lms.core import localtime
from lms.core.access import Scope
from lms.core.audit import AuditEvent
from lms.core.crypto import FieldCipher
from lms.core.errors import DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db
from lms.org.services import decrypt_id_number
from tests.certification.factories import make_passed_candidate
from tests.certification.test_register import copy_of
from tests.conftest import zh
from tests.factories import make_staff, make_user

NOTICE_FIELDS = (
    "姓名", "证件类型", "证件号码", "职业名称", "工种/职业方向", "职业技能等级", "证书编号",
    "评价机构名称", "发证日期", "证书信息查询网址", "机构信息查询网址",
)  # fmt: skip


def _one_inch_photo() -> bytes:
    """A 一寸 photo: 25×35 proportions, white background, a figure in the middle."""
    image = Image.new("RGB", (354, 496), "white")
    ImageDraw.Draw(image).ellipse((120, 90, 234, 230), fill=(200, 150, 120))
    ImageDraw.Draw(image).rectangle((80, 260, 274, 496), fill=(40, 60, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def world():
    """Today: one certificate issued with a photo, one without a photo, one revoked and one
    reissued; and one issued long ago (outside the range) that nothing happened to."""
    today = localtime.today()
    with_photo = services.issue(make_passed_candidate(), on=today)
    if photos.jpeg_of(with_photo.staff_id) is None:
        photos.store(with_photo.staff_id, _one_inch_photo())
    without_photo = copy_of(with_photo, make_staff(name="缺照片"), issued_on=today)
    revoked = copy_of(with_photo, make_staff(name="被撤销"), issued_on=date(2024, 5, 1))
    services.revoke(revoked, "材料不实")
    reissued = copy_of(with_photo, make_staff(name="补发者"), issued_on=date(2024, 6, 1))
    services.reissue(reissued)
    old = copy_of(with_photo, make_staff(name="旧证书"), issued_on=date(2024, 7, 1))
    return today, with_photo, without_photo, revoked, reissued, old


def test_the_batch_holds_the_changes_of_the_range(app, world) -> None:
    today, with_photo, without_photo, revoked, reissued, old = world
    batch = report.batch(today, today)
    events = {(e.event, e.certificate.number) for e in batch.entries}
    assert events == {
        ("issued", with_photo.number),
        ("issued", without_photo.number),
        ("revoked", revoked.number),
        ("reissued", reissued.number),
    }
    assert with_photo not in batch.without_photo and without_photo in batch.without_photo
    assert old not in batch.certificates
    with pytest.raises(DomainError):
        report.batch(today, date(today.year - 2, 1, 1))  # the end before the start
    with pytest.raises(DomainError):
        report.batch(date(2020, 1, 1), today)  # more than a year


def test_the_city_downloads_the_table_and_the_photos(client, world) -> None:
    today, with_photo, without_photo, revoked, reissued, _ = world
    client.login_as(make_user(Role.CITY_ADMIN))
    query = {"from": today.isoformat(), "to": today.isoformat()}
    page = client.get("/certificates/report", query_string=query).get_data(as_text=True)
    assert zh("%(n)d without a photo") % {"n": 3} in page  # the three copies have none
    assert without_photo.number in page

    xlsx = client.get("/certificates/report/xlsx", query_string=query)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert all(field in header for field in NOTICE_FIELDS)
    by_number = {
        row[header.index("证书编号")]: dict(zip(header, row, strict=True)) for row in rows[1:]
    }
    issued = by_number[with_photo.number]
    assert issued["证件号码"] == decrypt_id_number(with_photo.staff)  # in full, for matching
    assert issued["证件类型"] == "居民身份证" and issued["职业名称"] == "保育师"
    assert issued["职业技能等级"] == "五级/初级工" and issued["工种/职业方向"] == "--"
    assert issued["证书信息查询网址"] == "http://jndj.osta.org.cn"
    assert issued["机构信息查询网址"] == "http://pjjg.osta.org.cn"
    assert issued["照片文件"] == f"{with_photo.number}.jpg"
    assert by_number[without_photo.number]["照片文件"] == "（无照片）"
    assert by_number[revoked.number]["变动类型"] == "撤销"
    assert by_number[revoked.number]["撤销原因"] == "材料不实"
    assert by_number[reissued.number]["变动类型"] == "补发"

    text = client.get("/certificates/report/csv", query_string=query).data.decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert csv_rows[0] == list(report.HEADER) and len(csv_rows) == len(rows)

    photos = client.get("/certificates/report/zip", query_string=query)
    names = zipfile.ZipFile(io.BytesIO(photos.data)).namelist()
    assert names == [f"{with_photo.number}.jpg"]
    exported = db.session.query(AuditEvent).filter_by(action="certificates.report_exported")
    assert exported.count() == 2  # the two tables, which carry full ID numbers
    assert {tuple(e.details["formats"]) for e in exported} == {("xlsx",), ("csv",)}
    zipped = db.session.query(AuditEvent).filter_by(action="certificates.photos_exported")
    assert [e.details["photos"] for e in zipped] == [1]


def test_a_batch_whose_holders_have_no_photo_gets_a_chinese_message_not_an_empty_zip(
    client, world
) -> None:
    today, with_photo, *_ = world
    db.session.delete(db.session.get(HolderPhoto, with_photo.staff_id))
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))
    query = {"from": today.isoformat(), "to": today.isoformat()}
    response = client.get("/certificates/report/zip", query_string=query)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    expected = "No holder in these dates has an accepted photo: no file was made."
    assert zh(expected) in page and zh(expected) != expected
    assert not db.session.query(AuditEvent).filter_by(action="certificates.photos_exported").count()


def test_the_batch_finds_who_lacks_a_photo_without_decrypting_a_single_photo(
    app, world, monkeypatch
) -> None:
    today, _, without_photo, revoked, reissued, _ = world
    opened = []
    original = FieldCipher.decrypt_bytes

    def counting(self, blob: bytes, purpose: str) -> bytes:
        opened.append(purpose)
        return original(self, blob, purpose)

    monkeypatch.setattr(FieldCipher, "decrypt_bytes", counting)
    batch = report.batch(today, today)
    assert {c.number for c in batch.without_photo} == {
        without_photo.number,
        revoked.number,
        reissued.number,
    }
    assert photos.PURPOSE not in opened


def test_full_id_numbers_of_the_table_come_from_the_one_home_for_city_administrators_only(
    app, world
) -> None:
    today, with_photo, *_ = world
    batch = report.batch(today, today)
    with pytest.raises(NotAllowed):
        report.tables(batch, Scope(Role.DISTRICT_ADMIN, district_id=1), ["csv"])
    assert not db.session.query(AuditEvent).filter_by(action="certificates.report_exported").count()
    csv_bytes = report.tables(batch, Scope(Role.CITY_ADMIN), ["csv"])["csv"]
    assert decrypt_id_number(with_photo.staff) in csv_bytes.decode("utf-8-sig")


def test_a_reissue_is_reported_on_the_day_the_certificate_records_not_from_the_audit_log(
    app, world
) -> None:
    today, _, _, _, reissued, _ = world
    # The audit log is a record of who did what, not the certificate's data: without it the
    # reissue is still reported, on the day the certificate says.
    db.session.query(AuditEvent).filter_by(action="certificate.reissued").delete()
    assert ("reissued", reissued.number) in {
        (e.event, e.certificate.number) for e in report.batch(today, today).entries
    }
    reissued.reissued_at = localtime.from_local(datetime(2025, 3, 4, 9, 0))
    db.session.flush()
    assert "reissued" not in {e.event for e in report.batch(today, today).entries}
    march = report.batch(date(2025, 3, 4), date(2025, 3, 4))
    assert [(e.event, e.day, e.certificate.number) for e in march.entries] == [
        ("reissued", date(2025, 3, 4), reissued.number)
    ]


def test_an_empty_or_wrong_range_says_so_in_chinese(client, world) -> None:
    client.login_as(make_user(Role.CITY_ADMIN))
    empty = {"from": "2021-01-01", "to": "2021-01-31"}
    response = client.get("/certificates/report/xlsx", query_string=empty)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    expected = "Nothing was issued, reissued or revoked in these dates: no file was made."
    assert zh(expected) in page and zh(expected) != expected
    backwards = {"from": "2026-02-01", "to": "2026-01-01"}
    page = client.get("/certificates/report", query_string=backwards).get_data(as_text=True)
    assert zh("The end date is before the start date.") in page
    assert client.get("/certificates/report/pdf", query_string=empty).status_code == 404


def test_the_command_writes_the_batch(app, world, tmp_path) -> None:
    today, _, without_photo, *_ = world
    day = today.isoformat()
    result = app.test_cli_runner().invoke(
        args=["certificates", "report", "--from", day, "--to", day, "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    name = f"certificates-{today:%Y%m%d}-{today:%Y%m%d}"
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{name}.csv",
        f"{name}.xlsx",
        f"{name}-photos.zip",
    }
    assert "3 without a photo" in result.output and without_photo.number in result.output
    assert without_photo.holder_name not in result.output  # no names in the scrollback
    # One export (both tables): one audit entry, not one a file.
    exported = db.session.query(AuditEvent).filter_by(action="certificates.report_exported")
    assert [e.details["formats"] for e in exported] == [["csv", "xlsx"]]


def test_migration_0016_dates_earlier_reissues_from_the_audit_log(tmp_path) -> None:
    """A database reissued before the column existed: the migration takes each certificate's
    latest reissue from the audit log (or, lacking one, its last change); never reissued, none.
    The stored PDFs survive (rebuilding the table on SQLite would delete them by cascade)."""
    import sqlalchemy as sa
    from alembic import command

    from lms.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "0015")
    engine = sa.create_engine(url)  # no PRAGMA foreign_keys: staff and candidates not needed
    with engine.begin() as connection:
        for number, count in ((1, 2), (2, 1), (3, 0)):
            connection.execute(
                sa.text(
                    "INSERT INTO certificates (id, number, staff_id, skill_candidate_id, level,"
                    " year, serial, holder_name, id_number_masked, occupation, organisation,"
                    " issued_on, status, revoke_reason, reissue_count, subject_id, created_at,"
                    " updated_at) VALUES (:id, :number, :id, 1, 5, 2025, :id, '张三',"
                    " '140402********1234', '保育师', '认定站', '2025-01-10', 'valid', '',"
                    " :count, :subject, '2025-01-10 02:00:00', '2025-09-09 09:00:00')"
                ),
                {
                    "id": number,
                    "number": f"S00001404000125500000{number}",
                    "count": count,
                    "subject": f"00000000-0000-0000-0000-00000000000{number}",
                },
            )
        connection.execute(
            sa.text(
                "INSERT INTO certificate_files (certificate_id, reissue_count, sha256, size,"
                " pdf_encrypted, created_at) VALUES (1, 2, 'ab', 1, x'00', '2025-07-01')"
            )
        )
        for at in ("2025-03-01 01:00:00", "2025-06-30 20:00:00"):  # certificate 1, twice
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (at, action, target_type, target_id, details)"
                    " VALUES (:at, 'certificate.reissued', 'certificates', 1, '{}')"
                ),
                {"at": at},
            )
    command.upgrade(config, "0016")
    with engine.connect() as connection:
        dates = connection.execute(
            sa.text("SELECT id, reissued_at FROM certificates ORDER BY id")
        ).all()
        files = connection.execute(sa.text("SELECT count(*) FROM certificate_files")).scalar()
    engine.dispose()
    assert files == 1  # the certificates table was not rebuilt (its drop would cascade)
    assert [(i, str(at) if at else None) for i, at in dates] == [
        (1, "2025-06-30 20:00:00"),  # the latest reissue
        (2, "2025-09-09 09:00:00"),  # none in the log: its last change
        (3, None),
    ]
