"""Videos phones cannot play are transcoded, not refused (issue 20): a VP9 WebM or an HEVC MP4
uploaded in the lesson editor is kept, the background job makes its MP4/H.264 + AAC copy and
poster, the editor and the lesson say the video is being prepared until then, and trainees then
play the H.264 copy from /media with range requests. A file ffmpeg cannot read is refused with
the reason."""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from lms.authoring import lesson_media, services
from lms.content import media
from lms.content.models import MediaFile
from lms.core.roles import Role
from lms.db import db
from lms.jobs import services as jobs
from lms.jobs.executors import run_in_process
from lms.jobs.models import Job
from lms.learning.models import LessonMedia
from tests.authoring.helpers import experts, publish_as
from tests.conftest import _join_job_threads, zh
from tests.factories import make_staff, make_user
from tests.learning.content_tree import PARAGRAPH
from tests.learning.factories import make_cohort, make_course, make_enrolment

CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:01.500\n七步洗手法：掌心相对，手指并拢相互揉搓\n"
ENCODERS = {
    "webm": ["-c:v", "libvpx-vp9", "-b:v", "200k", "-deadline", "realtime", "-cpu-used", "8",
             "-c:a", "libopus"],
    "mp4": ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
            "-tag:v", "hvc1", "-c:a", "aac"],
}  # fmt: skip


def make_video(tmp_path: Path, suffix: str) -> bytes:
    """A second and a half of test picture with a tone, encoded as phones often cannot play."""
    path = tmp_path / f"clip.{suffix}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1.5:s=320x180:r=15",
         "-f", "lavfi", "-i", "sine=d=1.5", *ENCODERS[suffix], "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def ffprobe(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "probe.mp4"
    path.write_bytes(data)
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _finish_jobs() -> None:
    """Let the background jobs the requests started (transcoding, then the lighter
    rendition) finish."""
    for _ in range(3):
        _join_job_threads(timeout=120)
        time.sleep(0.05)


def world():
    course = make_course(lessons=1)
    lesson = course.active_lessons[0]
    lesson.body_markdown = "## 七步洗手法\n\n" + "\n\n".join([PARAGRAPH] * 9) + "\n"
    staff = make_staff()
    enrolment = make_enrolment(make_cohort(course=course), staff)
    alice, bob = experts()
    return lesson, enrolment, make_user(Role.TRAINEE, staff=staff), alice, bob


def test_a_vp9_webm_upload_is_transcoded_to_h264_and_played_with_ranges(app, client, tmp_path):
    lesson, enrolment, trainee, alice, bob = world()
    client.login_as(alice)
    edit = client.post(f"/author/lessons/{lesson.id}/draft").headers["Location"]
    version_id = int(edit.rstrip("/").split("/")[-2])
    uploaded = client.post(
        f"/author/versions/{version_id}/video",
        data={
            "video": (io.BytesIO(make_video(tmp_path, "webm")), "洗手.webm"),
            "captions": (io.BytesIO(CAPTIONS.encode()), "洗手.vtt"),
            "title": "七步洗手法",
        },
    )
    assert uploaded.status_code == 302
    # The job started when the upload committed; it shares the test's connection: let it end.
    _finish_jobs()
    page = client.get(edit).get_data(as_text=True)
    assert zh("Video kept. It is being prepared for phones (H.264); this takes a while.") in page
    db.session.expire_all()
    source = db.session.scalar(select(MediaFile).where(MediaFile.variant == "source"))
    assert source.content_type == "video/webm"
    assert media.poster_of(source).content_type == "image/jpeg"
    playable = media.playable_of(source)
    assert playable is not None and playable.parent_id == source.id
    assert 'data-testid="video-ready"' in page
    publish_as(client, alice, bob, edit)

    client.login_as(trainee)
    shown = client.get(f"/learn/{enrolment.id}/lessons/{lesson.id}").get_data(as_text=True)
    assert f'data-full="/media/{playable.id}"' in shown
    assert 'kind="captions"' in shown and "poster=" in shown
    whole = client.get(f"/media/{playable.id}")
    assert whole.status_code == 200 and whole.headers["Content-Type"].startswith("video/mp4")
    streams = {s["codec_type"]: s for s in ffprobe(whole.data, tmp_path)["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert streams["video"]["pix_fmt"] == "yuv420p"
    part = client.get(f"/media/{playable.id}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == whole.data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{playable.size}"
    captions = db.session.get(MediaFile, lesson.video["captions"])
    assert client.get(f"/media/{captions.id}").data.decode() == CAPTIONS


def test_an_hevc_lesson_video_shows_it_is_being_prepared_until_the_job_is_done(
    app, client, tmp_path
):
    lesson, enrolment, trainee, alice, bob = world()
    draft = services.start_draft(lesson, alice)
    src, source = lesson_media.upload(
        lesson.course, make_video(tmp_path, "mp4"), "hevc.mp4", "video", alice
    )
    captions, _ = lesson_media.upload(
        lesson.course, CAPTIONS.encode(), "hevc.vtt", "captions", alice
    )
    job = db.session.scalar(select(Job).where(Job.kind == f"media.transcode:{source.id}"))
    db.session.info.pop(jobs._PENDING, None)  # not started yet: the job waits for a worker
    assert source.variant == "source" and source.content_type == "video/mp4"
    document = {**draft.document, "video": {"src": src, "captions": captions, "title": "HEVC"}}
    services.save_draft(draft, alice, document, draft.lock_version)
    client.login_as(alice)
    editor = client.get(f"/author/versions/{draft.id}/edit").get_data(as_text=True)
    assert 'data-testid="video-preparing"' in editor
    services.submit(draft, alice)
    services.publish(draft, bob)
    assert db.session.scalar(select(LessonMedia).where(LessonMedia.media_id == source.id))

    client.login_as(trainee)
    url = f"/learn/{enrolment.id}/lessons/{lesson.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="video-preparing"' in page and "data-full=" not in page

    source_id = source.id
    run_in_process(app, job.id)  # the background job, as a worker runs it
    playable = media.playable_of(db.session.get(MediaFile, source_id))
    assert media.rendition_of(db.session.get(MediaFile, source_id)).height <= 240
    page = client.get(url).get_data(as_text=True)
    assert f'data-full="/media/{playable.id}"' in page
    data = client.get(f"/media/{playable.id}").data
    video = next(s for s in ffprobe(data, tmp_path)["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264"
    assert client.get(f"/media/{playable.id}", headers={"Range": "bytes=10-19"}).status_code == 206


def test_a_file_ffmpeg_cannot_read_is_refused_with_the_reason(app, client):
    lesson, _enrolment, _trainee, alice, _bob = world()
    client.login_as(alice)
    edit = client.post(f"/author/lessons/{lesson.id}/draft").headers["Location"]
    version_id = int(edit.rstrip("/").split("/")[-2])
    refused = client.post(
        f"/author/versions/{version_id}/video",
        data={
            "video": (io.BytesIO(b"not a film at all" * 100), "lesson.webm"),
            "captions": (io.BytesIO(CAPTIONS.encode()), "lesson.vtt"),
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        zh("%(f)s is not a video that can be read (MP4, WebM or MOV)", f="lesson.webm") in refused
    )
    assert db.session.scalar(select(MediaFile).where(MediaFile.kind == "video")) is None
