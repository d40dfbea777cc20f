"""Upload bombs in QTI packages: every hostile package is refused before anything in it is
parsed, quickly, with a clear Chinese message, and checking one stays far below 300 MB."""

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.core.roles import Role
from lms.db import db
from lms.exams import qti
from lms.exams.models import Question
from tests.conftest import zh
from tests.exams.qti_bombs import lying_bomb, many_items, zeros_bomb
from tests.exams.test_bank import item
from tests.factories import make_user

ROOT = Path(__file__).parents[2]
GOOD = item("good", "single", ["a"], [("a", "甲"), ("b", "乙"), ("c", "丙")])


def zipped(entries, method=zipfile.ZIP_DEFLATED):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", method) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return data.getvalue()


def refusal(content, filename="upload.zip"):
    result = qti.parse(filename, content)
    assert result.items == [] and len(result.errors) == 1
    return result.errors[0]


def test_a_gigabyte_of_zeros_is_refused_from_the_directory_in_no_time(app, tmp_path):
    bomb = zeros_bomb(tmp_path / "bomb.zip")
    assert len(bomb) < 30 * 1024 * 1024  # it fits through the upload limit
    started = time.monotonic()
    message = refusal(bomb)
    assert time.monotonic() - started < 1
    assert message == zh(
        "%(f)s: a file expands to more than %(mb)d MB; the package is refused",
        f="items/bomb.xml",
        mb=2,
    )


def test_the_bomb_uploaded_on_the_import_page_is_refused_in_chinese(client, tmp_path):
    # 256 MB of zeros in 250 KB (the test client leaks bodies above 500 KB to a temporary file).
    bomb = zeros_bomb(tmp_path / "bomb.zip", size=256 * 1024 * 1024, level=9)
    client.login_as(make_user(Role.EXAMINER))
    page = client.post(
        "/exams/bank/import",
        data={
            "file": (io.BytesIO(bomb), "items.zip"),
            "level": 5,
            "work_area": "ethics",
            "difficulty": "easy",
        },
    ).get_data(as_text=True)
    assert "items/bomb.xml：有文件解压后超过 2 MB，整个压缩包不予导入。" in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_sizes_the_directory_understates_are_not_trusted(app):
    message = refusal(lying_bomb())
    assert message == zh(
        "%(f)s: %(n)s cannot be read from the zip file", f="upload.zip", n="item.xml"
    )


def test_reading_stops_just_past_the_limit_whatever_the_directory_says(app):
    content = zipped([("big.xml", bytes(10 * 1024 * 1024))])
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.infolist()[0]
    read = []
    original = archive.open

    def counting_open(*args, **kwargs):
        stream = original(*args, **kwargs)
        real_read = stream.read

        def read_chunk(size=-1):
            chunk = real_read(size)
            read.append(len(chunk))
            return chunk

        stream.read = read_chunk
        return stream

    archive.open = counting_open
    with pytest.raises(qti.UnsafePackage):
        qti._read_within(archive, info, "upload.zip", qti.MAX_TOTAL_BYTES)
    assert qti.MAX_ENTRY_BYTES < sum(read) <= qti.MAX_ENTRY_BYTES + qti.CHUNK
    assert max(read) <= qti.CHUNK


def test_a_small_but_highly_compressed_file_is_refused_as_a_bomb(app):
    message = refusal(zipped([("pad.xml", b" " * (1024 * 1024))]))
    assert message == zh(
        "%(f)s: %(n)s is compressed more than %(r)d to 1, as a zip bomb is; the package is refused",
        f="upload.zip",
        n="pad.xml",
        r=100,
    )


def test_too_many_entries_are_refused(app):
    message = refusal(zipped([(f"i{n}.xml", b"") for n in range(qti.MAX_ENTRIES + 1)]))
    assert message == zh(
        "%(f)s: the package holds %(n)d files; at most %(max)d are accepted",
        f="upload.zip",
        n=qti.MAX_ENTRIES + 1,
        max=qti.MAX_ENTRIES,
    )


def test_too_much_in_total_is_refused(app):
    incompressible = bytes(range(256)) * (8 * 1024)  # 2 MB, stored as is
    entries = [(f"i{n}.xml", incompressible[: 2 * 1024 * 1024 - 1]) for n in range(21)]
    message = refusal(zipped(entries, zipfile.ZIP_STORED))
    assert message == zh(
        "%(f)s: the package expands to more than %(mb)d MB; it is refused",
        f="upload.zip",
        mb=40,
    )


@pytest.mark.parametrize("name", ["../escape.xml", "/etc/items.xml", "a/../../b.xml", "C:\\x.xml"])
def test_names_pointing_outside_the_package_are_refused(app, name):
    message = refusal(zipped([("good.xml", GOOD), (name, GOOD)]))
    assert message == zh(
        "%(f)s: the file name %(n)s points outside the package", f="upload.zip", n=name
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("inner.zip", zipped([("good.xml", GOOD)])),
        ("inner.xml", zipped([("good.xml", GOOD)])),  # an archive under another name
        ("inner.tar.gz", b"\x1f\x8b\x08\x00"),
    ],
)
def test_archives_inside_the_package_are_refused(app, name, content):
    message = refusal(zipped([("good.xml", GOOD), (name, content)]))
    assert message == zh(
        "%(f)s: archives inside the package are not accepted (%(n)s)", f="upload.zip", n=name
    )


def test_a_plain_xml_upload_is_held_to_the_same_limit(app):
    message = refusal(b"<assessmentItem>" + b" " * qti.MAX_ENTRY_BYTES, filename="big.xml")
    assert message == zh(
        "%(f)s: a file expands to more than %(mb)d MB; the package is refused", f="big.xml", mb=2
    )


def test_entity_expansion_is_refused_by_defusedxml(app):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<assessmentItem identifier="x">&lol2;</assessmentItem>'
    )
    assert qti.parse("laughs.xml", laughs).errors
    assert qti.parse("inside.zip", zipped([("laughs.xml", laughs)])).errors


@pytest.mark.parametrize("kind", ["zeros", "lying", "many"])
def test_checking_any_package_stays_far_below_300_mb(kind):
    """Peak resident memory of a fresh process that builds the package and checks it."""
    run = subprocess.run(
        [sys.executable, "-m", "tests.exams.qti_bombs", kind],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, peak, items, *errors = run.stdout.split(maxsplit=3)
    print(f"QTI {kind}: peak {peak} MiB (before parsing {before} MiB)")
    assert float(peak) < 150
    assert (int(items), bool(errors)) == ((2000, False) if kind == "many" else (0, True))


def test_a_legitimate_package_at_the_entry_limit_imports(app):
    result = qti.parse("upload.zip", many_items())
    assert result.errors == [] and len(result.items) == 2000
