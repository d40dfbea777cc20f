"""The certificate's serif CJK face, cut down once to the characters certificates print.

Noto Serif CJK ships as 26 MB font collections of 65,000 glyphs. WeasyPrint subsets the fonts it
embeds for every PDF, and doing that from the full collection costs more than laying the page
out. So the regular face is subset once per machine with fontTools — to GB 2312 (all 6,763 hanzi
of the national standard, which cover nearly all names), ASCII and CJK punctuation — and kept
in the font cache folder. A character outside the subset (a rare name character)
still prints: the stylesheet falls back to the full system font for it.

The subset is also converted from CFF outlines to TrueType (quadratic) ones: HarfBuzz subsets a
TrueType face for each PDF in half the time of a CFF one (whose charstrings it must
desubroutinise), and the certificate's PDF comes out half the size (34 KB rather than 69 KB),
the glyphs alike to within a thousandth of the em. Its glyphs are renumbered so that those
every certificate prints come first, then GB 2312's common hanzi: the face WeasyPrint embeds
keeps the glyph numbers, and so stays small.

The certificate uses one face, regular: a second (bold) face costs another subsetting pass per
PDF, a fifth of the rendering time, for the title alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from lms.config import PROJECT_ROOT

FAMILY = "LMS Certificate Serif"
SYSTEM_FAMILY = "Noto Serif CJK SC"
#: Bump when the character sets or the way the face is built change, so that cached faces are
#: rebuilt.
CHARSET_VERSION = "3"  # 2: TrueType outlines; 3: common glyphs first
TEMPLATE = PROJECT_ROOT / "certificates" / "certificate.html"


def gb2312_characters() -> set[int]:
    """Every character of GB 2312 (rows 0xA1-0xF7, columns 0xA1-0xFE)."""
    found = set()
    for row in range(0xA1, 0xF8):
        for column in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([row, column]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def template_characters() -> set[int]:
    return {ord(char) for char in TEMPLATE.read_text("utf-8")}


def every_certificate_characters() -> set[int]:
    """What every certificate prints, or nearly: the template's own text and ASCII (digits,
    Latin letters of addresses)."""
    return template_characters() | set(range(0x20, 0x7F))


def _gb2312_rank(character: int) -> tuple[int, bytes]:
    """GB 2312's symbols first, then its level-1 hanzi (the 3,755 in common use), then level 2,
    then anything else."""
    try:
        encoded = chr(character).encode("gb2312")
    except UnicodeEncodeError:
        return 4, character.to_bytes(4, "big")
    if len(encoded) == 1:
        return 0, encoded
    return (1 if encoded[0] < 0xB0 else 2 if encoded[0] <= 0xD7 else 3), encoded


def _common_glyphs_first(font: Any, every_certificate: list[str]) -> None:
    """Number the glyphs every certificate uses (with their alternates, e.g. tabular digits)
    first, then by GB 2312's frequency levels. WeasyPrint keeps glyph numbers when it subsets
    a face for a PDF, so the embedded face's tables run up to the highest number a certificate
    uses: about 4,600 rather than the face's 13,000 (a 60 KB face rather than 160 KB to subset
    and compress for every PDF)."""
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    order = font.getGlyphOrder()
    wanted = set(every_certificate)
    first = [".notdef"] + [name for name in order if name in wanted and name != ".notdef"]
    placed = set(first)
    cmap = font.getBestCmap()
    for character in sorted(cmap, key=_gb2312_rank):
        if (name := cmap[character]) not in placed:
            first.append(name)
            placed.add(name)
    reorderGlyphs(font, first + [name for name in order if name not in placed])


def regular_characters() -> set[int]:
    extra = "〇·—–‘’“”…"  # 〇 in dates, the middle dot in minority names
    return (
        gb2312_characters()
        | set(range(0x20, 0x7F))
        | {ord(char) for char in extra}
        | template_characters()
    )


def system_font() -> tuple[Path, int] | None:
    """The installed Noto Serif CJK SC file and its index in the collection, via fontconfig."""
    command = ["fc-match", "-f", "%{file}:%{index}", f"{SYSTEM_FAMILY}:style=Regular"]
    try:
        # fontconfig's own tool, with fixed arguments.
        found = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.fullmatch(r"(.+):(\d+)", found.strip())
    if match is None or "NotoSerifCJK" not in match.group(1):
        return None
    return Path(match.group(1)), int(match.group(2))


def _subset(source: Path, index: int, characters: set[int]) -> Any:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index)
    options = subset.Options()
    options.layout_features += ["tnum", "palt", "vert"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    return font


def _build(source: Path, index: int, characters: set[int], target: Path) -> None:
    font = _subset(source, index, characters)
    # Glyph names are those of the source, so the two subsets name the same glyphs alike.
    every_certificate = _subset(source, index, every_certificate_characters()).getGlyphOrder()
    _to_truetype(font)
    _common_glyphs_first(font, every_certificate)
    # Horizontal text only: vertical metrics would be embedded in every PDF for nothing.
    for tag in ("vhea", "vmtx"):
        if tag in font:
            del font[tag]
    font["post"].formatType = 3.0  # no glyph names: PDF viewers do not use them
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(partial)
    partial.replace(target)


#: Largest distance, in font units (1,000 to the em), between a cubic outline and its quadratic
#: approximation: what fontmake uses, far below what a printer resolves at 12 pt.
QUADRATIC_TOLERANCE = 1.0


def _to_truetype(font: Any) -> None:
    """Replace the font's CFF outlines by TrueType ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # Cubic outlines run the other way round from quadratic ones.
        glyph_set[name].draw(Cu2QuPen(pen, QUADRATIC_TOLERANCE, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:  # vertical origins belong to CFF fonts
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


@cache
def prepared_face(folder: Path) -> Path | None:
    """The subset face in ``folder``, built on first use; None when the system has no Noto Serif
    CJK (the stylesheet's fallback fonts are used then)."""
    source = system_font()
    if source is None:
        return None
    path, index = source
    characters = regular_characters()
    stat = path.stat()
    key = hashlib.sha256(
        f"{path}:{index}:{stat.st_size}:{stat.st_mtime_ns}:{CHARSET_VERSION}:".encode()
        + "".join(map(chr, sorted(characters))).encode()
    ).hexdigest()[:16]
    target = folder / f"certificate-serif-{key}.ttf"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Several processes may start at once (web workers, Celery workers): one builds.
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not target.exists():
                _build(path, index, characters, target)
    return target


def font_face_css(face: Path | None) -> str:
    if face is None:
        return ""
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{face.as_uri()}"); }}\n'
