"""Tables as downloadable CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response, abort

from lms.core.localtime import to_local

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")  # Changzhi time, as on the pages
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value if isinstance(value, int | float) else str(value)


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas (CSV injection) in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value.strip("-") == "":
            return value  # dashes alone ("--", an empty 工种 per the notice) compute nothing
        return "'" + value
    return value


def table_response(
    fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """Answer a download of ``rows`` as CSV or XLSX; ``filename`` has no extension."""
    if fmt not in FORMATS:
        abort(404)
    response = Response(table_bytes(fmt, header, rows), mimetype=FORMATS[fmt])
    quoted = quote(f"{filename}.{fmt}")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted}"
    return response


def table_bytes(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """``rows`` as the bytes of a CSV or XLSX file (``fmt``), for a download or a file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_safe(_cell(value)) for value in row])
        body: bytes = buffer.getvalue().encode("utf-8-sig")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append([_csv_safe(_cell(value)) for value in row])
        out = io.BytesIO()
        workbook.save(out)
        body = out.getvalue()
    return body
