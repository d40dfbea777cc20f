"""Holder photos: content-checked, size-limited, re-encoded, and printed on the certificate."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from lms.certification import photos, services
from lms.core.errors import Conflict, DomainError
from lms.core.roles import Role
from tests.certification.factories import make_passed_candidate, portrait
from tests.conftest import zh
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("app")


def picture(kind: str = "PNG", size: tuple[int, int] = (590, 826)) -> bytes:
    return portrait(size, kind=kind)


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
        (b"", "The file is not a JPEG or PNG picture"),
    ],
    ids=["fake-gif", "html", "real-gif", "empty"],
)
def test_what_is_not_a_usable_photo_is_refused_with_the_reason(data, message) -> None:
    with pytest.raises(DomainError) as refused:
        photos.normalise(data)
    assert str(refused.value.message) == zh(message)


TOO_SMALL = (
    "The photo is too small (%(w)d × %(h)d pixels); it needs at least %(min_w)d × %(min_h)d pixels"
)
NOT_5_7 = (
    "The photo is %(w)d × %(h)d pixels, not in the 1-inch proportion of 25 × 35 mm (5:7); "
    "crop it with the frame on the page"
)
NOT_WHITE = (
    "The background of the photo is not white (too dark or coloured); take it again in front "
    "of a white wall"
)


@pytest.mark.parametrize(
    ("data", "message", "params"),
    [
        (portrait((250, 350)), TOO_SMALL, {"w": 250, "h": 350, "min_w": 295, "min_h": 413}),
        (
            portrait((294, 413), kind="JPEG"),
            TOO_SMALL,
            {"w": 294, "h": 413, "min_w": 295, "min_h": 413},
        ),
        (portrait((600, 800), kind="JPEG"), NOT_5_7, {"w": 600, "h": 800}),
        (portrait((826, 590)), NOT_5_7, {"w": 826, "h": 590}),
        (portrait(background=(40, 40, 45)), NOT_WHITE, {}),
        (portrait(background=(120, 120, 120), kind="JPEG"), NOT_WHITE, {}),
        (portrait(background=(60, 110, 200)), NOT_WHITE, {}),
        (portrait(background=(230, 60, 60)), NOT_WHITE, {}),
    ],
    ids=["small", "one-pixel-short", "3:4", "landscape", "dark", "grey", "blue", "red"],
)
def test_a_photo_of_the_wrong_size_shape_or_background_is_refused_with_the_reason(
    data, message, params
) -> None:
    with pytest.raises(DomainError) as refused:
        photos.normalise(data)
    assert str(refused.value.message) == zh(message, **params)


@pytest.mark.parametrize("size", [(295, 413), (300, 413), (590, 826), (1000, 1400)], ids=str)
def test_a_light_5_7_photo_of_at_least_295_413_is_accepted(size) -> None:
    with Image.open(io.BytesIO(photos.normalise(portrait(size, kind="JPEG")))) as image:
        assert image.size == photos.SIZE


def test_a_refused_upload_says_why_in_chinese(client) -> None:
    candidate = make_passed_candidate(photo=False)
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    page = client.post(
        "/certificates/photo",
        data={"photo": (io.BytesIO(portrait(background=(30, 30, 30))), "me.png")},
    ).get_data(as_text=True)
    assert "背景" in page and zh(NOT_WHITE) in page
    assert not services.has_photo(candidate.staff_id)


def test_too_large_a_file_is_refused() -> None:
    with pytest.raises(DomainError):
        photos.normalise(b"\xff" * (photos.MAX_BYTES + 1))


def test_the_trainee_uploads_a_photo_and_it_is_printed(client, tmp_path) -> None:
    candidate = make_passed_candidate(photo=False)
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
    jpeg = photos.normalise(picture("JPEG", (4000, 5600)))
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
    Image.new("RGBA", (3380, 4732), (250, 250, 250, 128)).save(png)
    Image.new("RGB", (4225, 5915), (250, 250, 250)).save(jpeg, quality=95)
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


# Who may upload, who waits, what is printed -------------------------------------------------


def test_a_manager_uploads_for_own_staff_but_not_another_institutions(client) -> None:
    from tests.factories import make_staff

    manager = make_user(Role.INSTITUTION_MANAGER)
    own, other = make_staff(manager.institution), make_staff()
    client.login_as(manager)
    upload = {"photo": (io.BytesIO(portrait(kind="JPEG")), "p.jpg")}
    assert client.post(f"/staff/{other.id}/photo", data=upload).status_code == 404
    assert not services.has_photo(other.id)
    refused = client.post(
        f"/staff/{own.id}/photo", data={"photo": (io.BytesIO(portrait((420, 420))), "p.png")}
    )
    assert zh(NOT_5_7, w=420, h=420) in refused.get_data(as_text=True)
    saved = client.post(
        f"/staff/{own.id}/photo", data={"photo": (io.BytesIO(portrait(kind="JPEG")), "p.jpg")}
    )
    assert saved.status_code == 302 and services.has_photo(own.id)
    assert f"/staff/{own.id}/photo" in client.get(f"/staff/{own.id}").get_data(as_text=True)


def test_a_district_admin_uploads_in_the_district_only(client) -> None:
    from tests.factories import make_district, make_institution, make_staff

    admin = make_user(Role.DISTRICT_ADMIN, district=make_district("140402"))
    inside = make_staff(make_institution(admin.district))
    outside = make_staff(make_institution(make_district("140403")))
    client.login_as(admin)
    assert client.get(f"/staff/{outside.id}/photo").status_code == 404
    assert client.get(f"/staff/{inside.id}/photo").status_code == 200


def test_a_passed_candidate_without_a_photo_waits_and_is_not_issued(client) -> None:
    waiting = make_passed_candidate(photo=False)
    ready = make_passed_candidate()
    assert services.eligible() == [ready]
    assert services.waiting_for_photo() == [waiting]
    with pytest.raises(Conflict) as refused:
        services.issue(waiting)
    assert str(refused.value.message) == zh(
        "The holder has no accepted photo yet; a certificate needs one"
    )
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.get("/certificates").get_data(as_text=True)
    assert zh("%(n)d waiting for a photo", n=1) in page
    assert f"/staff/{waiting.staff_id}" in page and f'/staff/{ready.staff_id}"' not in page
    assert waiting.staff.id_number_masked in page


def test_the_command_lists_who_waits_for_a_photo_and_issues_the_rest(app, committed) -> None:
    from lms.certification.models import Certificate
    from lms.db import db

    waiting = make_passed_candidate(photo=False)
    make_passed_candidate()
    admission, masked = waiting.admission_number, waiting.staff.id_number_masked
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["certificates", "issue", "--eligible"])
    assert result.exit_code == 0, result.output
    assert "1 certificates issued" in result.output
    assert "1 waiting for a photo." in result.output
    assert admission in result.output and masked in result.output
    assert "王*" in result.output and "王丽" not in result.output
    assert db.session.query(Certificate).count() == 1


def _pdf_images(tmp_path, pdf: bytes) -> list[str]:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
    return [line for line in listing.stdout.splitlines()[2:] if line.strip()]


def _embedded_jpeg(tmp_path, pdf: bytes) -> Image.Image:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdfimages", "-j", str(path), str(tmp_path / "img")], check=True)
    jpeg = next(p for p in sorted(tmp_path.iterdir()) if p.suffix == ".jpg")
    return Image.open(jpeg).convert("RGB")


def test_with_a_photo_the_certificate_carries_it_and_a_reissue_the_new_one(tmp_path) -> None:
    candidate = make_passed_candidate(photo=False)
    photos.store(candidate.staff_id, portrait(kind="JPEG"))
    certificate = services.issue(candidate)
    images = _pdf_images(tmp_path, services.stored_pdf(certificate))
    assert any(" jpeg " in line for line in images), images  # the photo, beside the QR code
    first = _embedded_jpeg(_dir(tmp_path, "1"), services.stored_pdf(certificate))
    # A new photo: a differently coloured jacket. The issued PDF stays as it was...
    photos.store(candidate.staff_id, portrait(kind="JPEG", jacket=(150, 30, 30)))
    unchanged = _embedded_jpeg(_dir(tmp_path, "2"), services.stored_pdf(certificate))
    assert _jacket(unchanged) == pytest.approx(_jacket(first), abs=8)
    # ...and the reissue prints the current one.
    services.reissue(certificate)
    reissued = _embedded_jpeg(_dir(tmp_path, "3"), services.stored_pdf(certificate))
    assert _jacket(reissued)[0] > _jacket(first)[0] + 60


def _jacket(image: Image.Image) -> tuple[int, ...]:
    """The colour at the bottom middle of the photo (the jacket)."""
    return image.getpixel((image.width // 2, image.height - 5))


def _dir(root, name: str):
    (root / name).mkdir()
    return root / name
