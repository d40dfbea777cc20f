"""Holder photos: content-checked, size-limited, re-encoded, and printed on the certificate."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from lms.certification import photos, services
from lms.core.errors import DomainError
from lms.core.roles import Role
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("app")


def picture(kind: str = "PNG", size: tuple[int, int] = (600, 800)) -> bytes:
    image = Image.new("RGB", size, (250, 250, 250))
    width, height = size
    image.paste((180, 120, 90), (width // 3, height // 3, 2 * width // 3, 3 * height // 4))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def test_a_png_becomes_a_one_inch_jpeg() -> None:
    jpeg = photos.normalise(picture("PNG"))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == photos.SIZE
        assert not image.info.get("exif")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really a picture", "The file is not a JPEG or PNG picture"),
        (b"<html><script>alert(1)</script></html>", "The file is not a JPEG or PNG picture"),
        (picture("GIF"), "The file is not a JPEG or PNG picture"),
        (picture("PNG", (100, 120)), "The photo is too small; it needs at least 150 × 200 pixels"),
    ],
    ids=["fake-gif", "html", "real-gif", "tiny"],
)
def test_what_is_not_a_usable_photo_is_refused_with_the_reason(data, message) -> None:
    with pytest.raises(DomainError) as refused:
        photos.normalise(data)
    assert str(refused.value.message) == zh(message)


def test_too_large_a_file_is_refused() -> None:
    with pytest.raises(DomainError):
        photos.normalise(b"\xff" * (photos.MAX_BYTES + 1))


def test_the_trainee_uploads_a_photo_and_it_is_printed(client, tmp_path) -> None:
    candidate = make_passed_candidate()
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    bad = client.post(
        "/certificates/photo", data={"photo": (io.BytesIO(b"not a picture"), "me.jpg")}
    )
    assert zh("The file is not a JPEG or PNG picture") in bad.get_data(as_text=True)
    good = client.post(
        "/certificates/photo", data={"photo": (io.BytesIO(picture("JPEG")), "me.jpg")}
    )
    assert good.status_code == 302
    certificate = services.issue(candidate)
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(services.stored_pdf(certificate))
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    assert "jpeg" in listing.stdout  # the photo is embedded as a JPEG
