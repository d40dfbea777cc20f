"""Lesson media served from the media store, to those who may see the lesson, with HTTP range
requests (206, Accept-Ranges, If-Range) so that a phone can seek in a video and resume a cut
download, and an ETag (the content address) so an unchanged file is never fetched twice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user

from lms.content.models import MediaFile
from lms.core.access import roles_required
from lms.core.roles import Role
from lms.core.storage import MissingMedia, chunks, media_store
from lms.db import db
from lms.learning import media_access

bp = Blueprint("media", __name__, url_prefix="/media")

#: A drawing is shown as a picture; should it be opened on its own, nothing in it runs.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.route("/<int:media_id>")
@roles_required(Role.TRAINEE, *media_access.author_roles())
def file(media_id: int) -> Any:
    """A lesson's picture, video, captions or poster; 404 for those who may not see it."""
    row = db.session.get(MediaFile, media_id)
    if row is None or not media_access.may_fetch(current_user, row):
        abort(404)
    return serve(row)


def serve(row: MediaFile) -> Response:
    store = media_store()
    try:
        size = store.size(row.sha256)
    except MissingMedia:
        abort(404)
    etag = row.sha256
    headers = {
        "Content-Type": row.content_type
        + ("; charset=utf-8" if row.content_type == "text/vtt" else ""),
        "Accept-Ranges": "bytes",
        "ETag": f'"{etag}"',
        # Content-addressed: the bytes behind this address never change; private because
        # access is checked per user.
        "Cache-Control": "private, max-age=31536000, immutable",
        "Content-Disposition": "inline",
    }
    if row.content_type == "image/svg+xml":
        headers["Content-Security-Policy"] = SVG_POLICY
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    start, stop, status = 0, size, 200
    byte_range = request.range
    if_range = request.if_range
    honour = byte_range is not None and (
        not (if_range.etag or if_range.date) or if_range.etag == etag
    )
    if honour and byte_range is not None:
        bounds = byte_range.range_for_length(size)
        if bounds is None or len(byte_range.ranges) != 1:
            return Response(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        start, stop = bounds
        status = 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    headers["Content-Length"] = str(stop - start)
    if request.method == "HEAD":
        return Response(status=status, headers=headers)
    body = stream_with_context(chunks(store, row.sha256, start, stop))
    return Response(body, status=status, headers=headers, direct_passthrough=True)
