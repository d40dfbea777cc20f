"""Holder photos: checked by content (not by name or declared type), size-limited, and
re-encoded, so that what is stored and printed is a plain JPEG without metadata."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from lms.certification.models import HolderPhoto
from lms.core.crypto import cipher
from lms.core.errors import DomainError
from lms.db import db, utcnow

MAX_BYTES = 5 * 1024 * 1024
#: Pictures are refused above this many pixels, read from the header before anything is
#: decoded. A JPEG (a 6000 × 4000 camera picture passes) is decoded at 1/2 to 1/8 scale; a
#: PNG is decoded whole (4 bytes a pixel with transparency) and then once more as RGB, so
#: it is held to fewer: about 110 MB at most.
MAX_PIXELS = 25_000_000
MAX_PNG_PIXELS = 16_000_000
ACCEPTED = frozenset({"JPEG", "PNG"})
#: 1 inch (25 × 35 mm) at 300 dpi.
SIZE = (295, 413)
PURPOSE = "holder-photo"
TOO_MANY_PIXELS = _l(
    "The picture is too large: %(width)d × %(height)d pixels. At most %(max)s million pixels "
    "are accepted; reduce it and upload it again"
)
HUGE = _l(
    "The picture is far too large to be read (more than %(max)s million pixels); reduce it "
    "and upload it again"
)


@contextmanager
def checked_image(data: bytes, not_a_picture: Any) -> Iterator[Image.Image]:
    """Open an uploaded picture for decoding, after checking what its header says: its format
    (JPEG or PNG, whatever the file is called) and its size in pixels, before a single pixel
    is decoded (``Image.open`` reads only the header). Pillow's own decompression-bomb guard
    (``Image.MAX_IMAGE_PIXELS``: a warning above it, an error above twice it) is made an error
    and answered with the same clear refusal. JPEGs are decoded at the smallest scale that
    still covers the target (``draft``), so a large photo costs little memory."""
    limit = f"{MAX_PIXELS / 1_000_000:g}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                most = MAX_PIXELS if kind == "JPEG" else MAX_PNG_PIXELS
                if kind in ACCEPTED and width * height > most:
                    raise DomainError(
                        TOO_MANY_PIXELS
                        % {"width": width, "height": height, "max": f"{most / 1_000_000:g}"}
                    )
                probe.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(HUGE % {"max": limit}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(not_a_picture) from None
    if kind not in ACCEPTED:
        raise DomainError(not_a_picture)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            yield image


def reduced(image: Image.Image, longest: int) -> Image.Image:
    """The picture at most ``longest`` pixels on its longer side, decoded as cheaply as the
    format allows (a JPEG at 1/2, 1/4 or 1/8 scale), before it is turned or converted."""
    image.draft("RGB", (longest, longest))
    if image.mode not in ("RGB", "L"):
        # Transparency or a palette goes before resampling, which would otherwise make a
        # full-size premultiplied copy of the picture.
        converted = image.convert("RGB")
        image.close()  # frees the decoded original now, not when the caller is done
        image = converted
    image.thumbnail((longest, longest))
    return image


def normalise(data: bytes) -> bytes:
    """A JPEG of the photo cropped to the 1-inch ratio, or a DomainError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise DomainError(_l("The photo is larger than 5 MB"))
    with checked_image(data, _l("The file is not a JPEG or PNG picture")) as image:
        width, height = image.size
        if width < 150 or height < 200:
            raise DomainError(_l("The photo is too small; it needs at least 150 × 200 pixels"))
        small = reduced(image, 2 * max(SIZE))
        upright = ImageOps.exif_transpose(small).convert("RGB")
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
