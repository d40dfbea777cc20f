"""The media files a lesson file of ``courses/`` shows: the pictures of its Markdown
(``![替代文字](media/x.svg)``, checked with the rest of the body by lms.content.lesson_check)
and the video of its front matter (``video: {src, captions, poster, title}``). Each must be a
file of the course's ``media/`` folder that ``lms.content.media`` accepts; a missing or refused
file is a problem naming the lesson (file and line) and the file, so it cannot be synced."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content.lesson_check import IMAGE, media_problem, refusal
from lms.content.reader import Reader
from lms.content.yaml_lines import LineDict

__all__ = ["IMAGE", "CourseFolder", "read_lesson_video"]

VIDEO_KEYS = {"src": "video", "captions": "captions", "poster": "poster", "title": None}


@lru_cache(maxsize=256)
def _refusal(path: str, mtime: float, size: int, ref: str, kind: str) -> str:
    """Why the file is refused ('' when accepted); cached while the file is unchanged."""
    return refusal(Path(path).read_bytes(), ref, kind)


class CourseFolder:
    """The media files of the course folder a lesson file shows, as lesson_check finds them:
    ``find`` keeps each accepted one in ``found`` (path written → file, kind)."""

    def __init__(self, lesson: Path) -> None:
        self.root = lesson.parent.parent
        self.found: dict[str, tuple[Path, str]] = {}

    def find(self, ref: str, kind: str) -> str | None:
        file = self.root / ref
        if not file.is_file():
            return None
        stat = file.stat()
        reason = _refusal(str(file), stat.st_mtime, stat.st_size, ref, kind)
        if not reason:
            self.found[ref] = (file, kind)
        return reason


def read_lesson_video(
    reader: Reader, lesson: Path, meta: LineDict, offset: int, folder: CourseFolder
) -> dict[str, str] | None:
    """The lesson's video (its files kept in ``folder.found``), problems reported."""
    raw = meta.get("video")
    if raw is None:
        return None
    line = meta.line_of("video") + offset
    if not isinstance(raw, dict) or not isinstance(raw.get("src"), str):
        reader.problem(lesson, line, _l("video needs at least src: media/<name>.mp4"))
        return None
    unknown = set(raw) - set(VIDEO_KEYS)
    if unknown:
        reader.problem(
            lesson, line, _l("video: unknown keys %(k)s", k=", ".join(sorted(map(str, unknown))))
        )
    if not isinstance(raw.get("captions"), str):
        reader.problem(lesson, line, _l("video needs captions: media/<name>.vtt"))
    video: dict[str, str] = {"title": str(raw.get("title") or "")}
    for key, kind in VIDEO_KEYS.items():
        if kind is None or not isinstance(raw.get(key), str):
            continue
        problem = media_problem(raw[key], kind, folder.find)
        if problem:
            reader.problem(lesson, line, problem)
        video[key] = raw[key]
    return video
