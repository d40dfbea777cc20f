"""The media a lesson file shows: pictures written in its Markdown (``![替代文字](media/x.svg)``)
and the video of its front matter (``video: {src, captions, poster, title}``). Each must be a
file of the course's ``media/`` folder that ``lms.content.media`` accepts; a missing or refused
file is a problem naming the lesson (file and line) and the file, so it cannot be synced."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.content.reader import Reader
from lms.content.yaml_lines import LineDict

IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]*$")
VIDEO_KEYS = {"src": "video", "captions": "captions", "poster": "poster", "title": None}


@lru_cache(maxsize=256)
def _refusal(path: str, mtime: float, size: int, kind: str) -> str:
    """Why the file is refused ('' when accepted); cached while the file is unchanged."""
    from lms.content import media

    try:
        media.check(Path(path).read_bytes(), Path(path).name, kind)
    except media.MediaRefused as refused:
        return str(refused.message)
    return ""


def _check_file(
    reader: Reader, lesson: Path, line: int, ref: str, kind: str, found: dict[str, Any]
) -> None:
    from lms.content.media import EXTENSIONS

    if not MEDIA_PATH.match(ref) or not ref.lower().endswith(EXTENSIONS[kind]):
        reader.problem(
            lesson,
            line,
            _l(
                "%(f)s: lesson media are files of the course's media/ folder ending in %(e)s",
                f=ref,
                e=" ".join(EXTENSIONS[kind]),
            ),
        )
        return
    file = lesson.parent.parent / ref
    if not file.is_file():
        reader.problem(lesson, line, _l("media file %(f)s of this lesson is missing", f=ref))
        return
    stat = file.stat()
    reason = _refusal(str(file), stat.st_mtime, stat.st_size, kind)
    if reason:
        reader.problem(lesson, line, reason)
        return
    found[ref] = (file, kind)


def read_lesson_media(
    reader: Reader, lesson: Path, meta: LineDict, offset: int, body: str, body_line: int
) -> tuple[dict[str, tuple[Path, str]], dict[str, str] | None]:
    """The lesson's media (path written → file, kind) and its video, problems reported."""
    found: dict[str, tuple[Path, str]] = {}
    for number, text in enumerate(body.splitlines(), start=body_line):
        for match in IMAGE.finditer(text):
            alt, ref = match.group(1).strip(), match.group(2)
            if not alt:
                reader.problem(
                    lesson, number, _l("the picture %(f)s needs alternative text", f=ref)
                )
            _check_file(reader, lesson, number, ref, "image", found)
    raw = meta.get("video")
    if raw is None:
        return found, None
    line = meta.line_of("video") + offset
    if not isinstance(raw, dict) or not isinstance(raw.get("src"), str):
        reader.problem(lesson, line, _l("video needs at least src: media/<name>.mp4"))
        return found, None
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
        _check_file(reader, lesson, line, raw[key], kind, found)
        video[key] = raw[key]
    return found, video
