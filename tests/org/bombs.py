"""Hostile roster files, written straight as ZIP/XML/CSV (quick to build even at a million rows):
an XLSX of a million repeated rows, an XLSX whose shared-strings part inflates to hundreds of
megabytes, an XLSX whose header lies about a part's size, and a million-row CSV."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

HEADER = ["姓名", "性别", "身份证号码", "手机号码", "机构名称", "岗位", "上岗日期"]
ROW = ["刘芳", "女", "140402199003070024", "13800138000", "某某托育园", "保育人员", "2022-09-01"]
COLUMNS = "ABCDEFG"

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _shared_row(number: int, first: int) -> str:
    cells = "".join(
        f'<c r="{column}{number}" t="s"><v>{first + index}</v></c>'
        for index, column in enumerate(COLUMNS)
    )
    return f'<row r="{number}">{cells}</row>'


def _write_skeleton(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    archive.writestr("_rels/.rels", ROOT_RELS)
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def _shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def repeated_rows_xlsx(path: Path, rows: int) -> Path:
    """A sheet of ``rows`` identical data rows (shared strings), deflated: a few MB on disk,
    hundreds of MB once inflated and far more as Python objects."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        _write_skeleton(archive)
        archive.writestr("xl/sharedStrings.xml", _shared_strings([*HEADER, *ROW]))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.encode())
            sheet.write(_shared_row(1, 0).encode())
            block = []
            for number in range(2, rows + 2):
                block.append(_shared_row(number, len(HEADER)))
                if len(block) == 10_000:
                    sheet.write("".join(block).encode())
                    block.clear()
            sheet.write("".join(block).encode())
            sheet.write(SHEET_TAIL.encode())
    return path


def shared_strings_bomb_xlsx(path: Path, megabytes: int = 1024, zip64: bool = True) -> Path:
    """One shared string of ``megabytes`` MB of the same character: a deflated part of about a
    thousandth of that, which a spreadsheet library would hold whole in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_skeleton(archive)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=zip64) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="'
                b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(b"</t></si></sst>")
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + _shared_row(1, 0) + SHEET_TAIL)
    return path


def lying_header_xlsx(path: Path, real_megabytes: int = 64) -> Path:
    """A valid-looking XLSX whose sharedStrings part declares 1 KB uncompressed but inflates
    to ``real_megabytes`` MB: the declared size (local header and central directory) is
    patched after writing."""
    shared_strings_bomb_xlsx(path, real_megabytes, zip64=False)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", data, start + size_offset, 1024)
            start += 4
    path.write_bytes(bytes(data))
    return path


def million_row_csv(path: Path, rows: int = 1_000_000) -> Path:
    """A CSV of ``rows`` data rows (about 80 bytes each)."""
    with path.open("w", encoding="utf-8", newline="") as output:
        output.write(",".join(HEADER) + "\r\n")
        line = ",".join(ROW) + "\r\n"
        for _ in range(rows // 10_000):
            output.write(line * 10_000)
        output.write(line * (rows % 10_000))
    return path


def inflated_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def many_strings_xlsx(path: Path, megabytes: int = 39) -> Path:
    """A shared-strings part just under the per-part limit, made of millions of distinct
    short strings (a few MB deflated): each would be a Python object of its own."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_skeleton(archive)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(
                f'{XML}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                "".encode()
            )
            part.write("".join(f"<si><t>{text}</t></si>" for text in HEADER).encode())
            number, size, block = 0, 0, []
            while size < megabytes * 1024 * 1024:
                block.append(f"<si><t>{number:x}</t></si>")
                size += len(block[-1])
                number += 1
                if len(block) == 100_000:
                    part.write("".join(block).encode())
                    block.clear()
            part.write("".join(block).encode() + b"</sst>")
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + _shared_row(1, 0) + SHEET_TAIL)
    return path


def rich_text_header_xlsx(path: Path) -> Path:
    """The header as shared strings written in runs (and one with a phonetic guide), as Excel
    writes text partly formatted; one data row."""
    runs = "".join(f"<r><rPr><b/></rPr><t>{char}</t></r>" for char in HEADER[0])
    phonetic = f"<t>{HEADER[1]}</t><rPh sb='0' eb='1'><t>xingbie</t></rPh>"
    strings = [f"<si>{runs}</si>", f"<si>{phonetic}</si>"]
    strings += [f"<si><t>{text}</t></si>" for text in [*HEADER[2:], *ROW]]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_skeleton(archive)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'{XML}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(strings)
            + "</sst>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET_HEAD + _shared_row(1, 0) + _shared_row(2, len(HEADER)) + SHEET_TAIL,
        )
    return path


def giant_cell_xlsx(path: Path, megabytes: int = 250) -> Path:
    """One inline-string cell of ``megabytes`` MB, varied enough to deflate only about 35:1
    (under any ratio limit): a few MB on disk, one huge string once parsed."""
    import random

    choose = random.Random(15).choice
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_skeleton(archive)
        archive.writestr("xl/sharedStrings.xml", _shared_strings(HEADER))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_HEAD + _shared_row(1, 0)).encode())
            sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
            for _ in range(megabytes):
                sheet.write(
                    b"".join(
                        b"a" * 1000 + "".join(choose("bcdefgh") for _ in range(24)).encode()
                        for _ in range(1024)
                    )
                )
            sheet.write(("</t></is></c></row>" + SHEET_TAIL).encode())
    return path
