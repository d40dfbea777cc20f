"""Discarding an uploaded roster asks first: the confirmation page names the file and how many
checked rows are thrown away; a count that changed meanwhile asks again; confirmed, the upload
is discarded and cannot be imported any more."""

from __future__ import annotations

import io

from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db
from lms.org.models import RosterUpload
from tests.conftest import zh
from tests.core.test_confirm import asks
from tests.factories import make_institution, make_user
from tests.org.test_roster import as_csv, person, staff_count


def test_discarding_an_upload_asks_with_its_row_count(client) -> None:
    institution = make_institution()
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=institution.district))
    rows = [person(institution), person(institution, 姓名="王丽"), person(institution)]
    client.post("/roster/import", data={"file": (io.BytesIO(as_csv(rows)), "三月名单.csv")})
    upload = db.session.scalar(select(RosterUpload))
    assert upload is not None and upload.row_count == 3
    url = f"/roster/import/{upload.id}/discard"

    page = asks(client.post(url), 3)
    assert "三月名单.csv" in page
    assert f'href="/roster/import/{upload.id}"' in page  # cancel: back to the preview
    db.session.refresh(upload)
    assert upload.status == "pending"

    page = asks(client.post(url, data={"confirmed": "2"}), 3)  # not what the server counts
    assert zh("The number changed since you looked: please check again.") in page
    db.session.refresh(upload)
    assert upload.status == "pending"

    response = client.post(url, data={"confirmed": "3"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/roster/import")
    db.session.refresh(upload)
    assert upload.status == "discarded"
    client.post(f"/roster/import/{upload.id}")  # the import button of a stale page
    assert staff_count() == 0
    assert zh("This upload was discarded.") in client.get(f"/roster/import/{upload.id}").get_data(
        as_text=True
    )
