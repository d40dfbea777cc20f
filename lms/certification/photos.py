"""Holder photos: checked by content (not by name or declared type), size-limited, and
re-encoded, so that what is stored and printed is a plain JPEG without metadata."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from lms.certification.models import HolderPhoto
from lms.core.crypto import cipher
from lms.core.errors import DomainError
from lms.db import db, utcnow

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuses decompression bombs before decoding
ACCEPTED = {"JPEG", "PNG"}
#: 1 inch (25 × 35 mm) at 300 dpi.
SIZE = (295, 413)
PURPOSE = "holder-photo"


def normalise(data: bytes) -> bytes:
    """A JPEG of the photo cropped to the 1-inch ratio, or a DomainError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise DomainError(_l("The photo is larger than 5 MB"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise DomainError(_l("The file is not a JPEG or PNG picture")) from None
    if kind not in ACCEPTED:
        raise DomainError(_l("The file is not a JPEG or PNG picture"))
    if width * height > MAX_PIXELS:
        raise DomainError(_l("The picture has too many pixels"))
    if width < 150 or height < 200:
        raise DomainError(_l("The photo is too small; it needs at least 150 × 200 pixels"))
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
        fitted = ImageOps.fit(upright, SIZE, method=Image.Resampling.LANCZOS)
        output = io.BytesIO()
        fitted.save(output, "JPEG", quality=88, optimize=True)
    return output.getvalue()


def store(staff_id: int, data: bytes) -> None:
    """Check, re-encode and keep the person's photo (replacing an earlier one)."""
    jpeg = normalise(data)
    photo = db.session.get(HolderPhoto, staff_id)
    if photo is None:
        photo = HolderPhoto(staff_id=staff_id)
        db.session.add(photo)
    photo.jpeg_encrypted = cipher().encrypt_bytes(jpeg, PURPOSE)
    photo.uploaded_at = utcnow()
    db.session.flush()


def jpeg_of(staff_id: int) -> bytes | None:
    photo = db.session.get(HolderPhoto, staff_id)
    return cipher().decrypt_bytes(photo.jpeg_encrypted, PURPOSE) if photo else None
