"""Hostile QTI packages, built for real (nothing mocked), and a probe that measures the peak
memory of checking one in a fresh process:

    python -m tests.exams.qti_bombs <kind>   → prints "<peak MiB> <errors>"
"""

from __future__ import annotations

import io
import resource
import struct
import sys
import zipfile
from pathlib import Path

MIB = 1024 * 1024


def zeros_bomb(
    path: Path, size: int = 1024 * MIB, name: str = "items/bomb.xml", level: int = 1
) -> bytes:
    """A zip holding ``size`` bytes of zeros: 4.5 MB for 1 GB inside (1 MB at level 9)."""
    chunk = bytes(MIB)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        archive.open(name, "w", force_zip64=True) as entry,
    ):
        for _ in range(size // MIB):
            entry.write(chunk)
    return path.read_bytes()


def lying_bomb(size: int = 64 * MIB) -> bytes:
    """A zip whose directory and local header claim 1,000 bytes for ``size`` bytes of zeros."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("item.xml", bytes(size))
    raw = bytearray(data.getvalue())
    struct.pack_into("<I", raw, 22, 1000)  # local file header: uncompressed size
    central = raw.rindex(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, 1000)  # central directory: uncompressed size
    return bytes(raw)


def many_items(count: int = 2000) -> bytes:
    """A legitimate package at the entry limit: ``count`` single-choice items."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(count):
            archive.writestr(
                f"items/i{number}.xml",
                f"""<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
  identifier="i{number}"><responseDeclaration identifier="R" cardinality="single">
  <correctResponse><value>b</value></correctResponse></responseDeclaration>
  <itemBody><choiceInteraction responseIdentifier="R">
  <prompt>第{number}题：婴儿睡眠的安全姿势是？</prompt>
  <simpleChoice identifier="a">俯卧</simpleChoice><simpleChoice identifier="b">仰卧</simpleChoice>
  <simpleChoice identifier="c">侧卧</simpleChoice></choiceInteraction></itemBody>
</assessmentItem>""",
            )
    return data.getvalue()


def peak_mib() -> float:
    """This process's peak resident memory. VmHWM (Linux) starts afresh at exec;
    ru_maxrss is the fallback, but Linux carries it over from the parent that forked us."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


if __name__ == "__main__":
    import tempfile

    from lms.exams import qti

    kind = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        content = {
            "zeros": lambda: zeros_bomb(Path(folder) / "bomb.zip"),
            "lying": lying_bomb,
            "many": many_items,
        }[kind]()
    before = peak_mib()
    result = qti.parse("upload.zip", content)
    print(f"{before:.1f} {peak_mib():.1f} {len(result.items)}", *result.errors)
