import io
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.org.models import Gender, Post, RosterUpload, RosterUploadRow, Staff
from lms.org.roster import RosterFileError, apply_plan, plan_import
from tests.conftest import zh
from tests.factories import (
    make_district,
    make_institution,
    make_staff,
    make_user,
    new_id_number,
    new_phone,
)

HEADER = ["姓名", "性别", "身份证号码", "手机号码", "机构名称", "岗位", "上岗日期"]


def person(institution, **values):
    gender = values.pop("性别", "女")
    row = {
        "姓名": "刘芳",
        "性别": gender,
        "身份证号码": new_id_number(Gender.MALE if gender == "男" else Gender.FEMALE),
        "手机号码": new_phone(),
        "机构名称": institution.name,
        "岗位": "保育人员",
        "上岗日期": "2022-09-01",
    }
    row.update(values)
    return row


def as_csv(rows, encoding="utf-8", header=HEADER):
    lines = [",".join(header)] + [",".join(str(row.get(h, "")) for h in header) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def as_xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) for h in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def staff_count():
    return db.session.scalar(select(func.count()).select_from(Staff))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_common_encoding_imports(app, encoding):
    institution = make_institution(name="潞州区英雄中路社区托育点")
    rows = [person(institution, 姓名="王秀兰"), person(institution, 姓名="买买提·艾力", 性别="男")]
    plan = plan_import("roster.csv", as_csv(rows, encoding), scope=None)
    assert plan.errors == []
    result = apply_plan(plan)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    names = set(db.session.scalars(select(Staff.name)))
    assert names == {"王秀兰", "买买提·艾力"}


def test_xlsx_with_real_date_cells_imports(app):
    institution = make_institution()
    rows = [person(institution, 上岗日期=date(2021, 3, 15), 手机号码=int(new_phone()))]
    plan = plan_import("roster.xlsx", as_xlsx(rows), scope=None)
    assert plan.errors == []
    apply_plan(plan)
    assert db.session.scalar(select(Staff.in_post_from)) == date(2021, 3, 15)


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(app):
    institution = make_institution()
    good = person(institution)
    wrong_check = person(institution)
    wrong_check["身份证号码"] = wrong_check["身份证号码"][:17] + (
        "1" if wrong_check["身份证号码"][17] != "1" else "2"
    )
    impossible_date = person(institution, 身份证号码="140402199002300028")
    duplicate = person(institution, 身份证号码=good["身份证号码"], 姓名="重复者")
    rows = [
        good,
        wrong_check,
        impossible_date,
        duplicate,
        person(institution, 机构名称="不存在的托育点"),
        person(institution, 手机号码="0355-2113499"),
        {**person(institution), "性别": "男"},
        person(institution, 岗位="厨师"),
        person(institution, 上岗日期="2022年9月1日"),
    ]
    plan = plan_import("roster.csv", as_csv(rows, "gbk"), scope=None)
    found = {(error.row, error.column, error.message) for error in plan.errors}
    expected = {
        (3, "身份证号码", zh("ID number check digit is wrong")),
        (4, "身份证号码", zh("ID number contains an impossible birth date")),
        (5, "身份证号码", zh("Same ID number as row %(row)d", row=2)),
        (6, "机构名称", zh("No registered institution has exactly this name")),
        (7, "手机号码", zh("Not a mainland mobile number (11 digits starting with 13–19)")),
        (8, "性别", zh("Gender does not match the ID number")),
        (9, "岗位", zh("Post must be one of 保育人员, 负责人, 其他")),
        (10, "上岗日期", zh("Not a date in the form YYYY-MM-DD")),
    }
    assert found == expected
    with pytest.raises(ValueError):
        apply_plan(plan)
    assert staff_count() == 0


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates(app):
    institution = make_institution()
    other = make_institution()
    rows = [person(institution, 姓名="周婷"), person(institution, 姓名="吴丹")]
    apply_plan(plan_import("a.csv", as_csv(rows), scope=None))
    ids = dict(db.session.execute(select(Staff.name, Staff.id)).all())

    again = plan_import("a.csv", as_csv(rows), scope=None)
    assert (again.count("new"), again.count("update"), again.count("unchanged")) == (0, 0, 2)
    apply_plan(again)

    rows[1].update({"机构名称": other.name, "岗位": "负责人", "手机号码": (phone := new_phone())})
    changed = plan_import("a.csv", as_csv(rows), scope=None)
    assert (changed.count("update"), changed.count("unchanged")) == (1, 1)
    assert set(changed.rows[1].changed_fields) == {"institution_id", "post", "phone"}
    apply_plan(changed)
    moved = db.session.get(Staff, ids["吴丹"])
    db.session.refresh(moved)
    assert (moved.institution_id, moved.post, moved.phone) == (other.id, Post.LEAD, phone)
    assert staff_count() == 2


def test_an_id_registered_to_another_name_is_refused(app):
    institution = make_institution()
    existing = make_staff(institution, name="陈静", id_number=(number := new_id_number()))
    plan = plan_import(
        "a.csv", as_csv([person(institution, 姓名="陈晶", 身份证号码=number)]), scope=None
    )
    assert [(e.row, e.column) for e in plan.errors] == [(2, "身份证号码")]
    assert existing.name in plan.errors[0].message


def test_missing_columns_and_unreadable_files_are_refused_as_a_whole(app):
    with pytest.raises(RosterFileError) as error:
        plan_import("a.csv", as_csv([], header=["姓名", "性别"]), scope=None)
    assert "身份证号码" in str(error.value.message)
    with pytest.raises(RosterFileError):
        plan_import("a.csv", b"\xff\xfe\x00\x01garbage\x80\x81", scope=None)
    with pytest.raises(RosterFileError):
        plan_import("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, scope=None)
    with pytest.raises(RosterFileError):
        plan_import("a.csv", as_csv([]), scope=None)


def test_numbers_stored_as_excel_numbers_are_refused(app):
    institution = make_institution()
    row = person(institution)
    row["身份证号码"] = float(row["身份证号码"][:17])
    plan = plan_import("a.xlsx", as_xlsx([row]), scope=None)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "身份证号码")]


def test_english_headers_are_accepted(app):
    institution = make_institution()
    header = ["name", "gender", "id_number", "phone", "institution", "post", "start_date"]
    row = dict(zip(header, person(institution).values(), strict=True))
    assert plan_import("a.csv", as_csv([row], header=header), scope=None).errors == []


def test_scoped_importers_cannot_touch_other_institutions(app):
    home, away = make_district("140403"), make_district("140404")
    mine, theirs = make_institution(home), make_institution(away)
    elsewhere = make_staff(theirs, name="外区员工")
    manager = make_user(Role.INSTITUTION_MANAGER, institution=mine)
    rows = [
        person(theirs),
        person(mine, 姓名="外区员工", 身份证号码=_plain_id(elsewhere)),
    ]
    plan = plan_import("a.csv", as_csv(rows), scope=manager.scope)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "机构名称"), (3, "身份证号码")]


def _plain_id(staff):
    from lms.core.crypto import cipher
    from lms.org.services import ID_PURPOSE

    return cipher().decrypt(staff.id_number_encrypted, ID_PURPOSE)


def test_web_upload_previews_then_imports_once(client):
    institution = make_institution()
    user = make_user(Role.DISTRICT_ADMIN, district=institution.district)
    client.login_as(user)
    rows = [person(institution, 姓名="孙悦"), person(institution, 姓名="马兰")]
    response = client.post(
        "/roster/import", data={"file": (io.BytesIO(as_csv(rows, "gbk")), "名单.csv")}
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "孙悦" in page and rows[0]["身份证号码"] not in page
    assert staff_count() == 0
    upload = db.session.scalar(select(RosterUpload))
    kept = db.session.scalars(select(RosterUploadRow)).all()
    assert [row.name for row in kept] == ["孙悦", "马兰"]
    assert all(rows[0]["身份证号码"].encode() not in row.id_number_encrypted for row in kept)

    assert client.post(preview_url).status_code == 302
    assert staff_count() == 2
    db.session.refresh(upload)
    assert upload.status == "applied"
    assert db.session.scalars(select(RosterUploadRow)).all() == []  # checked rows erased
    assert client.post(preview_url).status_code == 200  # already applied: nothing happens again
    assert staff_count() == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert event.details["created"] == 2


def test_web_upload_with_errors_shows_them_and_cannot_be_confirmed(client):
    institution = make_institution()
    client.login_as(make_user(Role.CITY_ADMIN))
    rows = [person(institution), person(institution, 手机号码="12345")]
    response = client.post(
        "/roster/import", data={"file": (io.BytesIO(as_csv(rows)), "a.csv")}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert zh("Not a mainland mobile number (11 digits starting with 13–19)") in page
    upload = db.session.scalar(select(RosterUpload))
    client.post(f"/roster/import/{upload.id}")
    assert staff_count() == 0


def test_uploads_are_private_to_their_uploader(client):
    institution = make_institution()
    first = make_user(Role.CITY_ADMIN)
    client.login_as(first)
    client.post(
        "/roster/import", data={"file": (io.BytesIO(as_csv([person(institution)])), "a.csv")}
    )
    upload = db.session.scalar(select(RosterUpload))
    client.login_as(make_user(Role.CITY_ADMIN))
    assert client.get(f"/roster/import/{upload.id}").status_code == 404
    assert client.post(f"/roster/import/{upload.id}").status_code == 404


def test_cli_import_reports_row_errors_on_stderr_and_exits_non_zero(app, tmp_path):
    institution = make_institution()
    good, bad = person(institution), person(institution, 身份证号码="140402199013010028")
    path = tmp_path / "roster.csv"
    path.write_bytes(as_csv([good, bad], "gbk"))
    runner = CliRunner()
    result = runner.invoke(app.cli, ["roster", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行" in result.stderr and "身份证号码" in result.stderr
    assert staff_count() == 0

    path.write_bytes(as_csv([good], "gbk"))
    dry = runner.invoke(app.cli, ["roster", "import", "--dry-run", str(path)])
    assert dry.exit_code == 0 and staff_count() == 0
    real = runner.invoke(app.cli, ["roster", "import", str(path)])
    assert real.exit_code == 0, real.output
    assert "新增 1 人" in real.output
    assert staff_count() == 1


def test_template_has_the_required_header(app, tmp_path):
    runner = CliRunner()
    path = tmp_path / "template.csv"
    assert runner.invoke(app.cli, ["roster", "template", str(path)]).exit_code == 0
    assert path.read_bytes().decode("utf-8-sig").strip() == ",".join([*HEADER, "离岗日期"])
