"""Roster import abuse cases: the preview is no ID-number → name oracle, previews and uploads
are rate-limited, the row cap answers clearly, and a large import runs as a background job
that writes all rows or none."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from lms.core.roles import Role
from lms.db import db
from lms.extensions import limiter
from lms.jobs.models import Job, JobStatus
from lms.org import roster
from lms.org.models import Gender, RosterUpload, RosterUploadRow, Staff
from tests.conftest import zh
from tests.factories import (
    make_district,
    make_institution,
    make_staff,
    make_user,
    new_id_number,
)
from tests.org.test_roster import as_csv, person

OUTSIDE = (
    "This ID number is already registered outside your scope; it cannot be imported here. "
    "Ask the city administrator"
)


def staff_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Staff)) or 0


def upload(client, rows, name="名单.csv"):
    response = client.post("/roster/import", data={"file": (io.BytesIO(as_csv(rows)), name)})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


@pytest.mark.parametrize("role", [Role.INSTITUTION_MANAGER, Role.DISTRICT_ADMIN])
def test_the_preview_tells_nothing_about_a_person_outside_the_scope(client, role):
    home = make_institution(make_district("140403"))
    elsewhere = make_institution(make_district("140405"), name="外区阳光托育园")
    id_number = new_id_number(Gender.FEMALE)
    make_staff(elsewhere, name="张三丰", id_number=id_number)
    actor = make_user(role, institution=home) if role == Role.INSTITUTION_MANAGER else None
    actor = actor or make_user(role, district=home.district)
    client.login_as(actor)

    pages, messages = [], []
    for typed in ("张三丰", "李四"):
        url = upload(client, [person(home, 姓名=typed, 身份证号码=id_number)])
        pages.append(client.get(url).get_data(as_text=True))
        stored = db.session.get(RosterUpload, int(url.rsplit("/", 1)[1]))
        messages.append(stored.errors)
    for page in pages:
        assert zh(OUTSIDE) in page
        assert "张三丰" not in page  # neither the registered name …
        assert "外区阳光托育园" not in page and "郊区" not in page  # … nor where they work
    # The same answer whether the name typed is the registered one or not.
    assert messages[0] == messages[1] == [[2, "身份证号码", zh(OUTSIDE)]]
    assert staff_count() == 1


def test_in_scope_the_registered_name_is_still_shown_to_correct_the_row(client):
    home = make_institution()
    id_number = new_id_number(Gender.FEMALE)
    make_staff(home, name="王丽", id_number=id_number)
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home.district))
    url = upload(client, [person(home, 姓名="王莉", 身份证号码=id_number)])
    assert "王丽" in client.get(url).get_data(as_text=True)


def test_a_file_naming_many_people_outside_the_scope_is_refused_whole(client, monkeypatch):
    monkeypatch.setattr(roster, "MAX_OUT_OF_SCOPE", 1)
    home = make_institution(make_district("140403"))
    elsewhere = make_institution(make_district("140405"))
    numbers = [new_id_number(Gender.FEMALE) for _ in range(2)]
    for number in numbers:
        make_staff(elsewhere, id_number=number)
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home.district))
    url = upload(client, [person(home, 身份证号码=number) for number in numbers])
    page = client.get(url).get_data(as_text=True)
    message = (
        "More than %(n)d rows name people registered outside your scope; the file was not "
        "checked further. Ask the city administrator to import it"
    )
    assert zh(message, n=1) in page
    assert zh(OUTSIDE) not in page  # which rows, it does not say


def test_uploads_and_previews_are_rate_limited_per_user(app, client):
    institution = make_institution()
    client.login_as(make_user(Role.CITY_ADMIN))
    saved = app.config["ROSTER_UPLOAD_RATE_LIMIT"], app.config["ROSTER_PREVIEW_RATE_LIMIT"]
    app.config["ROSTER_UPLOAD_RATE_LIMIT"] = "2 per hour"
    app.config["ROSTER_PREVIEW_RATE_LIMIT"] = "3 per hour"
    limiter.enabled = True
    limiter.reset()
    try:
        url = upload(client, [person(institution)])
        upload(client, [person(institution)])
        third = client.post(
            "/roster/import",
            data={"file": (io.BytesIO(as_csv([person(institution)])), "c.csv")},
        )
        assert third.status_code == 429
        assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    finally:
        limiter.enabled = False
        app.config["ROSTER_UPLOAD_RATE_LIMIT"], app.config["ROSTER_PREVIEW_RATE_LIMIT"] = saved


def test_a_file_over_the_row_cap_is_refused_with_a_clear_message(app, client):
    institution = make_institution()
    client.login_as(make_user(Role.CITY_ADMIN))
    app.config["ROSTER_MAX_ROWS"] = 3
    try:
        url = upload(client, [person(institution) for _ in range(4)])
    finally:
        app.config["ROSTER_MAX_ROWS"] = 200_000
    page = client.get(url).get_data(as_text=True)
    cap = "The file has more than %(n)s data rows; split it into files of at most %(n)s rows"
    assert zh(cap, n="3") in page
    assert db.session.scalar(select(func.count()).select_from(RosterUploadRow)) == 0


def test_the_file_is_read_once_the_preview_and_import_use_the_checked_rows(client, monkeypatch):
    institution = make_institution()
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=institution.district))
    url = upload(client, [person(institution), person(institution)])

    def read_again(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(roster, "read_table", read_again)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert staff_count() == 2


def wait_for(job_id: int, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is not None and job.active is None:
            return job
        db.session.rollback()
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end in {seconds} s")


@pytest.mark.concurrency
def test_a_large_import_runs_as_a_job_whose_progress_the_preview_shows(app, committed, client):
    institution = make_institution()
    manager = make_user(Role.DISTRICT_ADMIN, district=institution.district)
    db.session.commit()
    client.login_as(manager)
    app.config["ROSTER_JOB_ROWS"] = 2
    try:
        url = upload(client, [person(institution) for _ in range(5)])
        assert client.post(url).status_code == 302
    finally:
        app.config["ROSTER_JOB_ROWS"] = 2000
    upload_row = db.session.scalar(select(RosterUpload))
    assert upload_row.job_id is not None
    job = wait_for(upload_row.job_id)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.kind == f"roster.import:{upload_row.id}"
    assert (job.done, job.total, job.result["created"]) == (10, 10, 5)
    assert staff_count() == 5
    assert zh("Show staff") in client.get(url).get_data(as_text=True)  # the imported page
    db.session.expire_all()
    assert db.session.get(RosterUpload, upload_row.id).status == "applied"


@pytest.mark.concurrency
def test_a_job_whose_rows_no_longer_pass_imports_nothing(app, committed, client):
    home = make_institution(make_district("140403"))
    elsewhere = make_institution(make_district("140405"))
    manager = make_user(Role.DISTRICT_ADMIN, district=home.district)
    db.session.commit()
    client.login_as(manager)
    rows = [person(home) for _ in range(5)]
    url = upload(client, rows)
    # Meanwhile the last person is registered in another district.
    make_staff(elsewhere, id_number=rows[-1]["身份证号码"])
    db.session.commit()
    app.config["ROSTER_JOB_ROWS"] = 2
    try:
        assert client.post(url).status_code == 302
    finally:
        app.config["ROSTER_JOB_ROWS"] = 2000
    job = wait_for(db.session.scalar(select(RosterUpload)).job_id)
    assert job.status == JobStatus.FAILED
    assert staff_count() == 1  # only the one registered elsewhere: nothing of the file
    page = client.get(url).get_data(as_text=True)
    assert zh("The import failed and nothing was imported:") in page
    assert zh(OUTSIDE) in page
    assert "DomainError" not in page


def test_an_import_in_the_request_refused_midway_leaves_nothing(client, monkeypatch):
    home = make_institution(make_district("140403"))
    elsewhere = make_institution(make_district("140405"))
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home.district))
    rows = [person(home) for _ in range(3)]
    url = upload(client, rows)
    make_staff(elsewhere, id_number=rows[-1]["身份证号码"])  # registered meanwhile
    monkeypatch.setattr(roster, "CHUNK", 1)  # rows 2 and 3 are written before row 4 fails
    page = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert zh(OUTSIDE) in page
    assert staff_count() == 1
    assert db.session.scalar(select(RosterUpload)).status == "pending"


@pytest.mark.concurrency
def test_an_import_whose_job_died_is_resumed_by_the_import_button(app, committed, client):
    from datetime import timedelta

    from lms.db import utcnow

    institution = make_institution()
    manager = make_user(Role.DISTRICT_ADMIN, district=institution.district)
    db.session.commit()
    client.login_as(manager)
    url = upload(client, [person(institution) for _ in range(3)])
    stored = db.session.scalar(select(RosterUpload))
    # A job that was writing when its process died: its transaction never committed.
    dead = Job(
        kind=f"roster.import:{stored.id}",
        params={"upload_id": stored.id},
        created_by_id=manager.id,
        status=JobStatus.RUNNING,
        stage="writing",
        heartbeat_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(dead)
    db.session.flush()
    stored.job_id = dead.id
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and zh("Import %(n)d rows", n=3) in page
    app.config["ROSTER_JOB_ROWS"] = 2
    try:
        assert client.post(url).status_code == 302
    finally:
        app.config["ROSTER_JOB_ROWS"] = 2000
    job = wait_for(dead.id)
    assert job.status == JobStatus.FINISHED and job.resumed == 1, job.error
    assert staff_count() == 3


def test_the_upload_page_states_the_limits(client):
    client.login_as(make_user(Role.DISTRICT_ADMIN))
    page = client.get("/roster/import").get_data(as_text=True)
    limits = (
        "At most %(mb)d MB and %(rows)s data rows per file; a file of more than %(job)s rows is "
        "imported in the background, with its progress on the preview page."
    )
    assert zh(limits, mb=25, rows="200,000", job="2,000") in page


@pytest.mark.concurrency
def test_the_page_of_a_running_import_refreshes_without_hitting_the_preview_limit(
    app, committed, client
):
    institution = make_institution()
    manager = make_user(Role.DISTRICT_ADMIN, district=institution.district)
    db.session.commit()
    client.login_as(manager)
    url = upload(client, [person(institution)])
    stored = db.session.scalar(select(RosterUpload))
    from lms.db import utcnow

    running = Job(
        kind=f"roster.import:{stored.id}",
        params={"upload_id": stored.id},
        created_by_id=manager.id,
        status=JobStatus.RUNNING,
        heartbeat_at=utcnow(),
    )
    db.session.add(running)
    db.session.flush()
    stored.job_id = running.id
    db.session.commit()
    saved = app.config["ROSTER_PREVIEW_RATE_LIMIT"]
    app.config["ROSTER_PREVIEW_RATE_LIMIT"] = "2 per hour"
    limiter.enabled = True
    limiter.reset()
    try:
        assert {client.get(url).status_code for _ in range(5)} == {200}
        running.status, running.active = JobStatus.FINISHED, None
        db.session.commit()
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        limiter.enabled = False
        app.config["ROSTER_PREVIEW_RATE_LIMIT"] = saved
