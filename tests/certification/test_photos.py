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


def png_claiming(width: int, height: int) -> bytes:
    """A few-hundred-byte PNG whose header claims ``width`` × ``height`` pixels (its one
    compressed row is all it holds): what a decompression bomb looks like to a server."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 1000), 9)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


HUGE = (
    "The picture is far too large to be read (more than %(max)s million pixels); reduce it "
    "and upload it again"
)
TOO_MANY = (
    "The picture is too large: %(width)d × %(height)d pixels. At most %(max)s million pixels "
    "are accepted; reduce it and upload it again"
)


@pytest.mark.parametrize(
    ("size", "message", "params"),
    [
        ((30000, 30000), HUGE, {"max": "25"}),
        ((6000, 5000), TOO_MANY, {"width": 6000, "height": 5000, "max": "16"}),
    ],
    ids=["30000x30000", "6000x5000"],
)
def test_a_picture_claiming_too_many_pixels_is_refused_before_decoding(size, message, params):
    with pytest.raises(DomainError) as refused:
        photos.normalise(png_claiming(*size))
    assert str(refused.value.message) == zh(message, **params)


def test_a_png_bomb_uploaded_as_a_photo_gets_a_clear_refusal_not_an_error(client) -> None:
    candidate = make_passed_candidate()
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    response = client.post(
        "/certificates/photo", data={"photo": (io.BytesIO(png_claiming(30000, 30000)), "me.png")}
    )
    assert response.status_code == 200  # the form again, with the reason (it was a 500)
    assert zh(HUGE, max="25") in response.get_data(as_text=True)


def test_a_large_camera_jpeg_is_decoded_at_reduced_scale() -> None:
    jpeg = photos.normalise(picture("JPEG", (4000, 6000)))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == photos.SIZE


PROBE = """
import sys
from lms import create_app
from lms.certification import external, photos

data = open(sys.argv[1], "rb").read()
with create_app().app_context():
    photos.normalise(data)
    external.normalise_scan(data)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) // 1024)
"""


def test_the_largest_picture_accepted_stays_under_300_mb(app, tmp_path) -> None:
    """A 16-megapixel PNG with transparency (the most a PNG may have; 64 MB once decoded) and a
    25-megapixel JPEG, each made into a photo and a scan by the application in a process of
    its own: its peak RSS."""
    import os
    import sys
    from pathlib import Path

    png, jpeg = tmp_path / "big.png", tmp_path / "big.jpg"
    Image.new("RGBA", (4000, 4000), (200, 180, 160, 128)).save(png)
    Image.new("RGB", (5000, 5000), (200, 180, 160)).save(jpeg, quality=95)
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_DATABASE_URL": app.config["DATABASE_URL"],
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_DATA_KEY": app.config["DATA_KEY"],
        "LMS_INSTANCE_PATH": str(tmp_path),
    }
    root = Path(__file__).parent.parent.parent
    for path in (png, jpeg):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(path)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        peak = int(done.stdout.split()[-1])
        print(f"\n{path.name} as photo and scan: peak RSS {peak} MB")
        assert peak < 300
