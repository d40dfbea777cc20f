"""Pictures and video in lessons: checked by their bytes, kept once in the media store, served
to those who may see the lesson with range requests, and refused with the reason."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from lms.config import PROJECT_ROOT
from lms.content import media, renditions
from lms.content.courses import load_content
from lms.content.models import MediaFile
from lms.content.sync import sync_content
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Course, Lesson
from tests.conftest import zh
from tests.factories import make_staff, make_user
from tests.learning.content_tree import PARAGRAPH, write_tree
from tests.learning.factories import make_cohort, make_enrolment

DEMO = PROJECT_ROOT / "courses" / "baoyushi-l5" / "media"
EVIL_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="200" height="100" onload="alert('svg')">
  <script>alert(document.cookie)</script>
  <a href="javascript:alert(1)"><text y="20">click</text></a>
  <rect width="50" height="50" fill="url(https://evil.example/p.svg#x)" onclick="steal()"/>
  <foreignObject width="100" height="100"><iframe src="https://evil.example"/></foreignObject>
  <image xlink:href="https://evil.example/track.png" width="10" height="10"/>
  <style>@import url(https://evil.example/x.css);</style>
  <text x="10" y="80">七步洗手法</text>
</svg>""".encode()


def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 60)).save(out, "PNG")
    return out.getvalue()


def media_tree(tmp_path: Path, body_extra: str = "", video: bool = True) -> Path:
    root = write_tree(tmp_path / "courses")
    folder = root / "test-l5" / "media"
    folder.mkdir()
    (folder / "steps.png").write_bytes(png())
    (folder / "diagram.svg").write_bytes(EVIL_SVG)
    for name in ("hand-washing.mp4", "hand-washing.vtt", "hand-washing.jpg"):
        shutil.copy(DEMO / name, folder / name)
    lesson = root / "test-l5" / "lessons" / "02-lesson-2.md"
    front = "video: {src: media/hand-washing.mp4, captions: media/hand-washing.vtt, title: 洗手}\n"
    body = (
        "## 图示\n\n![七步洗手法的步骤](media/steps.png)\n\n![洗手示意图](media/diagram.svg)\n\n"
        + body_extra
        + "\n\n".join([PARAGRAPH] * 8)
    )
    lesson.write_text(
        f"---\nid: t5-lesson-2\ntitle: 洗手\nmodule: daily\nhours: 1.0\n"
        f"{front if video else ''}---\n{body}\n",
        encoding="utf-8",
    )
    return root


def synced(root: Path) -> Lesson:
    content, problems = load_content(root)
    assert problems == []
    sync_content(content)
    return db.session.scalar(select(Lesson).where(Lesson.key == "t5-lesson-2"))


def enrolled_trainee(lesson: Lesson):
    course = db.session.get(Course, lesson.course_id)
    staff = make_staff()
    make_enrolment(make_cohort(course=course), staff)
    return make_user(Role.TRAINEE, staff=staff)


def test_a_lesson_shows_its_pictures_and_video_from_the_store(app, tmp_path, client):
    lesson = synced(media_tree(tmp_path))
    assert lesson.video["duration"] == pytest.approx(53, abs=1)
    ids = {row.original_name: row for row in db.session.scalars(select(MediaFile))}
    picture, drawing = ids["media/steps.png"], ids["media/diagram.svg"]
    assert f'<img src="/media/{picture.id}" alt="七步洗手法的步骤"' in lesson.body_html
    assert f'src="/media/{drawing.id}"' in lesson.body_html
    assert lesson.video["poster"] is not None  # made from the video when the lesson names none
    client.login_as(enrolled_trainee(lesson))
    answer = client.get(f"/media/{picture.id}")
    assert answer.status_code == 200 and answer.data == png()
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.headers["ETag"] == f'"{picture.sha256}"'
    assert "immutable" in answer.headers["Cache-Control"]
    again = client.get(f"/media/{picture.id}", headers={"If-None-Match": f'"{picture.sha256}"'})
    assert again.status_code == 304


def test_a_malicious_svg_is_neutralised(app, tmp_path, client):
    lesson = synced(media_tree(tmp_path))
    drawing = db.session.scalar(
        select(MediaFile).where(MediaFile.original_name == "media/diagram.svg")
    )
    client.login_as(enrolled_trainee(lesson))
    answer = client.get(f"/media/{drawing.id}")
    text = answer.data.decode()
    for bad in ("script", "onload", "onclick", "javascript:", "foreignObject", "iframe",
                "evil.example", "@import"):  # fmt: skip
        assert bad not in text, bad
    assert "七步洗手法" in text and "<rect" in text
    assert answer.headers["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]


def test_video_is_served_with_range_requests(app, tmp_path, client):
    lesson = synced(media_tree(tmp_path))
    video = db.session.get(MediaFile, lesson.video["media"])
    client.login_as(enrolled_trainee(lesson))
    whole = client.get(f"/media/{video.id}")
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert len(whole.data) == video.size
    part = client.get(f"/media/{video.id}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{video.size}"
    assert part.data == whole.data[100:200]
    tail = client.get(f"/media/{video.id}", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == whole.data[-50:]
    # If-Range: the same version resumes, a changed one is sent whole.
    same = {"Range": "bytes=0-9", "If-Range": f'"{video.sha256}"'}
    assert client.get(f"/media/{video.id}", headers=same).status_code == 206
    other = {"Range": "bytes=0-9", "If-Range": '"something-else"'}
    changed = client.get(f"/media/{video.id}", headers=other)
    assert changed.status_code == 200 and len(changed.data) == video.size
    beyond = client.get(f"/media/{video.id}", headers={"Range": f"bytes={video.size + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{video.size}"
    captions = client.get(f"/media/{lesson.video['captions']}")
    assert captions.headers["Content-Type"].startswith("text/vtt")
    assert "七步洗手法" in captions.data.decode()


def test_only_those_who_may_see_the_lesson_get_its_media(app, tmp_path, client):
    lesson = synced(media_tree(tmp_path))
    video = db.session.get(MediaFile, lesson.video["media"])
    poster = db.session.get(MediaFile, lesson.video["poster"])
    outsider = make_user(Role.TRAINEE, staff=make_staff())
    client.login_as(outsider)
    assert client.get(f"/media/{video.id}").status_code == 404
    assert client.get(f"/media/{poster.id}").status_code == 404
    client.login_as(make_user(Role.EXAMINER))
    assert client.get(f"/media/{video.id}").status_code == 403
    client.login_as(enrolled_trainee(lesson))
    assert client.get(f"/media/{poster.id}").status_code == 200  # reached through its video


def test_a_lesson_with_a_missing_media_file_cannot_be_synced(app, tmp_path):
    root = media_tree(tmp_path, body_extra="![手套](media/gloves.png)\n\n")
    problems = [str(p) for p in load_content(root)[1]]
    assert problems == [
        "courses/test-l5/lessons/02-lesson-2.md:14: "
        + zh("media file %(f)s of this lesson is missing", f="media/gloves.png")
    ]


def test_a_picture_without_alternative_text_is_refused(app, tmp_path):
    root = media_tree(tmp_path, body_extra="![](media/steps.png)\n\n")
    problems = [str(p) for p in load_content(root)[1]]
    assert problems == [
        "courses/test-l5/lessons/02-lesson-2.md:14: "
        + zh("the picture %(f)s needs alternative text", f="media/steps.png")
    ]


def test_a_file_that_is_not_a_video_is_refused_with_the_reason(app):
    with pytest.raises(media.MediaRefused) as refused:
        media.store_media(b"this is a text file, not a film" * 10, "lesson.mp4", "video")
    assert str(refused.value.message) == zh(
        "%(f)s is not a video that can be read (MP4, WebM or MOV)", f="lesson.mp4"
    )


def test_a_codec_phones_cannot_play_is_kept_to_be_transcoded(app, tmp_path):
    path = tmp_path / "old.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=160x90", "-c:v", "mpeg4",
         str(path)],
        check=True,
    )  # fmt: skip
    ref = media.store_media(path.read_bytes(), "old.mp4", "video", rendition=False)
    row = db.session.get(MediaFile, ref.id)
    # MPEG-4 part 2: kept as the source of an H.264 copy, which phones play once it is made.
    assert row.variant == "source" and media.playable_of(row) is None
    playable = renditions.make_playable(row)
    assert media.playable_of(row) == playable and playable.content_type == "video/mp4"
    assert media.poster_of(row).content_type == "image/jpeg"


def test_a_video_over_the_limit_is_refused(app):
    app.config["MEDIA_MAX_VIDEO_MB"] = 0
    try:
        with pytest.raises(media.MediaRefused) as refused:
            media.store_media((DEMO / "hand-washing.mp4").read_bytes(), "big.mp4", "video")
    finally:
        app.config["MEDIA_MAX_VIDEO_MB"] = 200
    assert str(refused.value.message) == zh("%(f)s is larger than %(mb)d MB", f="big.mp4", mb=0)


def test_the_lighter_rendition_is_smaller_and_phone_sized(app):
    ref = media.store_media(
        (DEMO / "hand-washing.mp4").read_bytes(), "demo.mp4", "video", rendition=False
    )
    original = db.session.get(MediaFile, ref.id)
    low = renditions.make_rendition(original)
    assert (low.parent_id, low.variant, low.kind) == (original.id, "low", "rendition")
    assert low.height <= 240 and low.bitrate <= 250_000 and low.size < original.size
    assert low.duration == pytest.approx(original.duration, abs=0.5)
    assert media.rendition_of(original) == low
    assert media.poster_of(original).content_type == "image/jpeg"
