"""A photo changed after a certificate was issued appears on its reissue, whichever way it was
changed: the trainee's own photo page, a manager's upload on the staff photo page, or an
administrator's ZIP import replacing the photo. Each change is in the audit log."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from PIL import Image

from lms.certification import services
from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.org.services import decrypt_id_number
from tests.certification.factories import make_passed_candidate, portrait
from tests.factories import make_user

RED, BLUE = (170, 25, 25), (25, 40, 160)


def _jacket_of_pdf(tmp_path, pdf: bytes, name: str) -> tuple[int, ...]:
    """The colour of the jacket (bottom middle) of the JPEG photo embedded in ``pdf``."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdfimages", "-j", str(folder / "c.pdf"), str(folder / "img")], check=True)
    jpegs = sorted(p for p in folder.iterdir() if p.suffix == ".jpg")
    assert len(jpegs) == 1, jpegs  # the photo (the QR code is a PNG)
    with Image.open(jpegs[0]) as image:
        photo = image.convert("RGB")
    return photo.getpixel((photo.width // 2, photo.height - 5))


def _close(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour, expected, strict=True))


def _issued_with_red_photo(client, tmp_path):
    candidate = make_passed_candidate(photo=False)
    admin = make_user(Role.CITY_ADMIN)
    client.login_as(admin)
    upload = {"photo": (io.BytesIO(portrait(kind="JPEG", jacket=RED)), "red.jpg")}
    assert client.post(f"/staff/{candidate.staff_id}/photo", data=upload).status_code == 302
    certificate = services.issue(candidate)
    first = client.get(f"/certificates/{certificate.number}.pdf")
    assert _close(_jacket_of_pdf(tmp_path, first.data, "first"), RED)
    return candidate, certificate


def _reissued_pdf(client, certificate) -> bytes:
    client.login_as(make_user(Role.CITY_ADMIN))
    reissue = f"/certificates/{certificate.number}/reissue"
    assert client.post(reissue, data={"confirmed": "1"}).status_code == 302
    response = client.get(f"/certificates/{certificate.number}.pdf")
    assert response.status_code == 200
    return response.data


@pytest.mark.parametrize("who", ["manager", "trainee"])
def test_a_photo_replaced_on_the_photo_pages_is_printed_on_the_reissue(
    client, tmp_path, who
) -> None:
    candidate, certificate = _issued_with_red_photo(client, tmp_path)
    blue = {"photo": (io.BytesIO(portrait(kind="JPEG", jacket=BLUE)), "blue.jpg")}
    if who == "manager":
        client.login_as(
            make_user(Role.INSTITUTION_MANAGER, institution=candidate.staff.institution)
        )
        assert client.post(f"/staff/{candidate.staff_id}/photo", data=blue).status_code == 302
    else:
        client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
        assert client.post("/certificates/photo", data=blue).status_code == 302
    # The certificate already made keeps the photo it was printed with...
    client.login_as(make_user(Role.CITY_ADMIN))
    kept = client.get(f"/certificates/{certificate.number}.pdf").data
    assert _close(_jacket_of_pdf(tmp_path, kept, "kept"), RED)
    # ...and its reissue prints the new one.
    reissued = _reissued_pdf(client, certificate)
    assert _close(_jacket_of_pdf(tmp_path, reissued, "reissued"), BLUE)
    saved = db.session.query(AuditEvent).filter_by(action="certificate_photo.saved")
    assert [(e.target_id, e.details) for e in saved.order_by(AuditEvent.id)] == [
        (candidate.staff_id, {"via": "upload", "replaced": False}),
        (candidate.staff_id, {"via": "upload", "replaced": True}),
    ]


def test_a_photo_replaced_by_the_zip_import_is_printed_on_the_reissue(client, tmp_path) -> None:
    candidate, certificate = _issued_with_red_photo(client, tmp_path)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(
            f"{decrypt_id_number(candidate.staff)}.jpg", portrait(kind="JPEG", jacket=BLUE)
        )
    district_admin = make_user(Role.DISTRICT_ADMIN, district=candidate.staff.institution.district)
    client.login_as(district_admin)
    page = client.post(
        "/certificates/photos/import",
        data={"archive": (io.BytesIO(archive.getvalue()), "photos.zip")},
    ).get_data(as_text=True)
    assert 'data-testid="matched"' in page
    reissued = _reissued_pdf(client, certificate)
    assert _close(_jacket_of_pdf(tmp_path, reissued, "reissued"), BLUE)
    last = (
        db.session.query(AuditEvent)
        .filter_by(action="certificate_photo.saved")
        .order_by(AuditEvent.id.desc())
        .first()
    )
    assert last.details == {"via": "import", "replaced": True}
    assert last.actor_id == district_admin.id
