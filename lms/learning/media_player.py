"""What the lesson page's video player needs: the renditions (full quality and, once the job
made it, the lighter one for slow connections or the data-saver choice), captions, poster,
where the trainee stopped and how much they have watched; or that the video is being prepared
(transcoded for phones) when it is not ready yet."""

from __future__ import annotations

from typing import Any

from lms.content import media
from lms.content.models import MediaFile
from lms.db import db
from lms.learning.models import Lesson, LessonProgress
from lms.learning.watching import video_fraction


def media_path(media_id: int | None) -> str | None:
    return media.media_path(media_id) if media_id else None


def player_for(lesson: Lesson, record: LessonProgress | None) -> dict[str, Any] | None:
    video = lesson.video or {}
    original = db.session.get(MediaFile, video["media"]) if video.get("media") else None
    if original is None:
        return None
    full = media.playable_of(original)
    if full is None:  # a source phones cannot play: its H.264 copy is being made
        return {"preparing": True, "title": video.get("title") or lesson.title}
    low = media.rendition_of(original)
    duration = float(video.get("duration") or original.duration or 0)
    watched = record.video_seconds if record else 0.0
    return {
        "title": video.get("title") or lesson.title,
        "full": media_path(full.id),
        "full_size": full.size,
        "low": media_path(low.id) if low else None,
        "low_size": low.size if low else None,
        "captions": media_path(video.get("captions")),
        "poster": media_path(video.get("poster")),
        "duration": duration,
        "resume": record.video_position if record else 0.0,
        "watched_percent": int(100 * watched / duration) if duration else 0,
        "needed_percent": round(100 * video_fraction()),
    }
