"""Holder photos: checked by content (not by name or declared type), size-limited, and
re-encoded, so that what is stored and printed is a plain JPEG without metadata."""

from __future__ import annotations

import io
import math
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError
from sqlalchemy import select

from lms.certification.models import HolderPhoto
from lms.core import archives, audit, idnumber
from lms.core.crypto import cipher
from lms.core.errors import DomainError
from lms.core.uploads import limit_of
from lms.db import db, utcnow
from lms.org.models import Staff

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
    width, height = image.size
    scale = min(1.0, longest / max(width, height))
    # The size the picture ends up: draft decodes at the smallest scale still at least that
    # big. (Asking for longest × longest kept a portrait JPEG at full scale: its narrow side
    # at half scale is under ``longest``.)
    image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    if image.mode not in ("RGB", "L"):
        # Transparency or a palette goes before resampling, which would otherwise make a
        # full-size premultiplied copy of the picture.
        converted = image.convert("RGB")
        image.close()  # frees the decoded original now, not when the caller is done
        image = converted
    image.thumbnail((longest, longest))
    return image


#: 25 × 35 mm: the photo's width over its height, and how far a picture may stray from it
#: (a phone's 3:4 picture is 5% off and is refused: the page's crop guide makes 5:7).
ASPECT = 5 / 7
ASPECT_TOLERANCE = 0.03
#: The background: the strips along the top and the upper sides (where the shoulders are
#: not) must be light (mean luminance, 0–255) and nearly colourless (mean HSV saturation).
MIN_BACKGROUND_LUMINANCE = 190
MAX_BACKGROUND_SATURATION = 45
BORDER = 0.08
ORIENTATION = 0x0112


def check_shape(width: int, height: int) -> None:
    """Refuse a picture smaller than 1 inch at 300 dpi or not in the 5:7 proportion."""
    if width < SIZE[0] or height < SIZE[1]:
        raise DomainError(
            _l(
                "The photo is too small (%(w)d × %(h)d pixels); it needs at least "
                "%(min_w)d × %(min_h)d pixels",
                w=width,
                h=height,
                min_w=SIZE[0],
                min_h=SIZE[1],
            )
        )
    if abs(width / height - ASPECT) > ASPECT_TOLERANCE * ASPECT:
        raise DomainError(
            _l(
                "The photo is %(w)d × %(h)d pixels, not in the 1-inch proportion of 25 × 35 mm "
                "(5:7); crop it with the frame on the page",
                w=width,
                h=height,
            )
        )


def background_of(image: Image.Image) -> tuple[float, float]:
    """Mean luminance and mean saturation (0–255) of the top strip and the upper side
    strips of a 1-inch photo."""
    width, height = image.size
    band_w, band_h = max(1, int(width * BORDER)), max(1, int(height * BORDER))
    boxes = [
        (0, 0, width, band_h),
        (0, band_h, band_w, height // 2),
        (width - band_w, band_h, width, height // 2),
    ]
    luminance = saturation = 0.0
    pixels = 0
    for box in boxes:
        strip = image.crop(box)
        count = strip.width * strip.height
        luminance += ImageStat.Stat(strip.convert("L")).mean[0] * count
        saturation += ImageStat.Stat(strip.convert("HSV").getchannel("S")).mean[0] * count
        pixels += count
    return luminance / pixels, saturation / pixels


def check_background(image: Image.Image) -> None:
    """Refuse a photo whose background is not light and plain (white or near it)."""
    luminance, saturation = background_of(image)
    if luminance < MIN_BACKGROUND_LUMINANCE or saturation > MAX_BACKGROUND_SATURATION:
        raise DomainError(
            _l(
                "The background of the photo is not white (too dark or coloured); take it "
                "again in front of a white wall"
            )
        )


def normalise(data: bytes) -> bytes:
    """A JPEG of the photo at 295 × 413 pixels, or a DomainError saying what is wrong: not a
    picture, too small, not 5:7, or not on a light background. What passes is accepted."""
    if len(data) > MAX_BYTES:
        raise DomainError(_l("The photo is larger than 5 MB"))
    with checked_image(data, _l("The file is not a JPEG or PNG picture")) as image:
        # The size as the picture stands: a phone's portrait may be stored turned (EXIF).
        width, height = image.size
        if image.getexif().get(ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width
        check_shape(width, height)
        small = reduced(image, 2 * max(SIZE))
        upright = ImageOps.exif_transpose(small).convert("RGB")
        fitted = ImageOps.fit(upright, SIZE, method=Image.Resampling.LANCZOS)
        check_background(fitted)
        output = io.BytesIO()
        fitted.save(output, "JPEG", quality=88, optimize=True)
    return output.getvalue()


def store(staff_id: int, data: bytes, *, via: str = "upload") -> None:
    """Check, re-encode and keep the person's photo (replacing an earlier one), and record it
    in the audit log (``via``: upload or import). Certificates already made keep the photo
    they were printed with; a reissue prints this one (render.py reads the current photo)."""
    jpeg = normalise(data)
    photo = db.session.get(HolderPhoto, staff_id)
    replaced = photo is not None
    if photo is None:
        photo = HolderPhoto(staff_id=staff_id)
        db.session.add(photo)
    photo.jpeg_encrypted = cipher().encrypt_bytes(jpeg, PURPOSE)
    photo.uploaded_at = utcnow()
    db.session.flush()
    audit.record(
        "certificate_photo.saved", db.session.get(Staff, staff_id), via=via, replaced=replaced
    )


def with_accepted_photo(staff_ids: Collection[int]) -> set[int]:
    """Which of these people have an accepted photo: one query a thousand people, reading no
    photo (nothing is decrypted)."""
    wanted = sorted(staff_ids)
    found: set[int] = set()
    for start in range(0, len(wanted), 1000):
        found.update(
            db.session.scalars(
                select(HolderPhoto.staff_id).where(
                    HolderPhoto.staff_id.in_(wanted[start : start + 1000])
                )
            )
        )
    return found


def preload(staff_ids: Collection[int]) -> list[HolderPhoto]:
    """Load the photos of many people in one query, so that ``jpeg_of`` finds them in the
    session instead of asking the database once per person (bulk rendering). The session
    holds what it loaded only weakly: keep the returned list while rendering."""
    if not staff_ids:
        return []
    return list(db.session.scalars(select(HolderPhoto).where(HolderPhoto.staff_id.in_(staff_ids))))


def jpeg_of(staff_id: int) -> bytes | None:
    photo = db.session.get(HolderPhoto, staff_id)
    return cipher().decrypt_bytes(photo.jpeg_encrypted, PURPOSE) if photo else None


# Importing a ZIP of photos -----------------------------------------------------------------------
# Nothing in the archive is trusted: its directory is checked before a byte is inflated (file
# count, names, declared sizes, compression ratio), then each file is read in chunks and
# reading stops past the limit, since the sizes a ZIP declares can lie.

#: A district's photos are a few hundred; the city's 1,700 a year come in several files.
MAX_ZIP_FILES = 2000
#: The import's endpoint: its upload limit (UPLOAD_LIMITS, lms/core/uploads.py) is also the
#: most the archive may expand to — JPEGs hardly compress, so a lower expanded limit would
#: refuse what the upload let through, and a higher one could never be reached.
IMPORT_ENDPOINT = "certificates.import_photos"


def max_zip_total() -> int:
    return limit_of(IMPORT_ENDPOINT)


#: A JPEG or PNG photo hardly compresses; a file that shrank this much is a bomb.
MAX_ZIP_RATIO = 50
ZIP_CHUNK = 64 * 1024
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png")


class UnsafeZip(DomainError):
    """The whole archive is refused, nothing imported; the message says why."""


@dataclass
class ImportReport:
    """What a ZIP of photos did: who got a photo, and the files that did not give one."""

    matched: list[tuple[str, Staff]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: Files named after someone outside the importer's area: not imported.
    out_of_scope: list[str] = field(default_factory=list)


def _limits() -> archives.Limits:
    # Built on use: MAX_BYTES is the photo module's own limit (tests may lower it).
    return archives.Limits(
        max_entries=MAX_ZIP_FILES,
        max_entry_bytes=MAX_BYTES * 2,
        max_total_bytes=max_zip_total(),
        max_ratio=MAX_ZIP_RATIO,
        ratio_floor=64 * 1024,
    )


def _checked_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    try:
        return archives.checked_entries(archive, _limits())
    except archives.ArchiveRefused as refusal:
        if refusal.reason == archives.TOO_MANY_ENTRIES:
            message = _l(
                "The ZIP file holds %(n)d files; at most %(max)d are accepted in one file",
                n=refusal.count,
                max=MAX_ZIP_FILES,
            )
        elif refusal.reason == archives.UNSAFE_NAME:
            message = _l(
                "The file name %(n)s points outside the ZIP file; it is refused", n=refusal.name
            )
        elif refusal.reason == archives.TOTAL_TOO_BIG:
            message = _l(
                "The ZIP file expands to more than %(mb)d MB; it is refused",
                mb=max_zip_total() >> 20,
            )
        else:  # too big or too compressed
            message = _l(
                "%(n)s expands far beyond a photo's size, as a ZIP bomb does; the ZIP file "
                "is refused",
                n=refusal.name,
            )
        raise UnsafeZip(message) from None


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The file's bytes, or None when it cannot be read or passes the photo size limit
    (whatever the directory claimed)."""
    try:
        return archives.read_capped(archive, info, MAX_BYTES, ZIP_CHUNK)
    except archives.ArchiveRefused:
        return None


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0].strip() if "." in base else base.strip()


def _match(stem: str) -> Staff | None:
    """The person a file is named after: an ID number (looked up by its keyed hash, nobody
    decrypted) or an admission number (准考证号) of a theory exam or a skill assessment."""
    from lms.exams.models import Candidate
    from lms.grading.models import SkillCandidate
    from lms.org.services import id_number_hash

    if idnumber.looks_like(stem):
        return db.session.scalar(select(Staff).where(Staff.id_number_hash == id_number_hash(stem)))
    for model in (SkillCandidate, Candidate):
        staff_id = db.session.scalar(select(model.staff_id).where(model.admission_number == stem))
        if staff_id is not None:
            return db.session.get(Staff, staff_id)
    return None


def import_zip(stream: IO[bytes], allows: Callable[[Staff], bool]) -> ImportReport:
    """Store the photos of a ZIP whose files are named by ID number or admission number, for
    the people ``allows`` admits (the importer's scope). The archive is refused whole
    (UnsafeZip) when it is not a ZIP, too large, a bomb or has a path in a name; otherwise
    each file is matched and checked on its own and the report says what became of it.
    Someone named by two files gets neither: which one is theirs is for a person to say."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnsafeZip(_l("The file is not a ZIP file that can be opened")) from None
    with archive:
        return _import(archive, _checked_entries(archive), allows)


def _import(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], allows: Callable[[Staff], bool]
) -> ImportReport:
    report = ImportReport()
    by_person: dict[int, list[tuple[str, Staff, zipfile.ZipInfo]]] = {}
    for info in sorted(entries, key=lambda i: i.filename):
        name = info.filename
        if not name.lower().endswith(PICTURE_SUFFIXES):
            report.unreadable.append((name, str(_l("not a JPEG or PNG file"))))
            continue
        staff = _match(_stem(name))
        if staff is None:
            report.unmatched.append(name)
        elif not allows(staff):
            # Reported, not imported: the file names a person outside the importer's area
            # (nothing more about them is said).
            report.out_of_scope.append(name)
        else:
            by_person.setdefault(staff.id, []).append((name, staff, info))
    for files in by_person.values():
        if len(files) > 1:
            report.duplicates += [name for name, _, _ in files]
            continue
        name, staff, info = files[0]
        data = _read_entry(archive, info)
        if data is None:
            report.unreadable.append((name, str(_l("cannot be read from the ZIP file"))))
            continue
        try:
            store(staff.id, data, via="import")
        except DomainError as refused:
            report.unreadable.append((name, str(refused.message)))
        else:
            report.matched.append((name, staff))
    return report
