"""Upload bombs: whatever roster file is uploaded (or given to ``lms roster import``), the
process stays under 300 MB and the file is refused with a clear message. Each upload runs in a
process of its own, whose peak resident set size (its own VmHWM) is measured and printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms.org import roster
from tests.conftest import zh
from tests.org import bombs

#: The child processes write (a throw-away account, the checked rows) and roll back: no test
#: transaction may hold the database meanwhile.
pytestmark = pytest.mark.usefixtures("committed")
ROOT = Path(__file__).parent.parent.parent
LIMIT_MB = 300
ROW_CAP = "The file has more than %(n)s data rows; split it into files of at most %(n)s rows"
ZIP_BOMB = (
    "The XLSX file expands to far more data than a roster holds (a compressed “zip bomb” "
    "or a sheet with too many rows); it was not read"
)


def environment(app: Flask, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_DATABASE_URL": app.config["DATABASE_URL"],
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_DATA_KEY": app.config["DATA_KEY"],
        "LMS_INSTANCE_PATH": str(tmp_path),
    }


def measured(args: list[str], env: dict[str, str]) -> tuple[int, str, str, float]:
    """Run the probe with ``args``; return its exit code, output, error output and its own
    peak RSS in MB."""
    process = subprocess.run(
        [sys.executable, "-m", "tests.org.upload_probe", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    peak_kb = int(process.stderr.rsplit("PEAK_KB ", 1)[1].split()[0])
    return process.returncode, process.stdout, process.stderr, peak_kb / 1024


def upload(app: Flask, tmp_path: Path, path: Path) -> tuple[dict[str, Any], float]:
    code, out, err, peak = measured(["upload", str(path)], environment(app, tmp_path))
    assert code == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    print(f"\n{path.name}: {path.stat().st_size / 1e6:.1f} MB on disk, peak RSS {peak:.0f} MB")
    return result, peak


class Files:
    """Each hostile file built once per module, when a test first asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.built = folder, {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.built:
            build, filename = {
                "rows": (lambda p: bombs.repeated_rows_xlsx(p, 1_000_000), "million-rows.xlsx"),
                "shared": (lambda p: bombs.shared_strings_bomb_xlsx(p, 400), "strings.xlsx"),
                "lying": (lambda p: bombs.lying_header_xlsx(p, 64), "lying-header.xlsx"),
                "csv": (bombs.million_row_csv, "million-rows.csv"),
                "strings": (bombs.many_strings_xlsx, "two-million-strings.xlsx"),
                "cell": (bombs.giant_cell_xlsx, "giant-cell.xlsx"),
            }[name]
            self.built[name] = build(self.folder / filename)
        return self.built[name]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("bombs"))


def test_a_million_row_xlsx_is_streamed_and_stopped_at_the_row_cap(app, tmp_path, files):
    path = files["rows"]
    assert path.stat().st_size < 25 * 1024 * 1024 < bombs.inflated_size(path)
    result, peak = upload(app, tmp_path, path)
    assert result["file_error"] == zh(ROW_CAP, n="200,000")
    assert peak < LIMIT_MB


def test_a_shared_strings_bomb_is_refused_from_the_zip_directory(app, tmp_path, files):
    path = files["shared"]
    assert path.stat().st_size < 2 * 1024 * 1024 and bombs.inflated_size(path) > 400 * 1024**2
    result, peak = upload(app, tmp_path, path)
    assert result["file_error"] == zh(ZIP_BOMB)
    assert peak < LIMIT_MB


def test_millions_of_tiny_shared_strings_are_kept_packed(app, tmp_path, files):
    """39 MB of distinct short strings (4.8 MB deflated) took 360 MB as openpyxl's list."""
    path = files["strings"]
    result, peak = upload(app, tmp_path, path)
    assert result["file_error"] == zh("The file has a header but no data rows")
    assert peak < LIMIT_MB


def test_a_giant_cell_is_refused_while_the_sheet_streams(app, tmp_path, files):
    path = files["cell"]
    assert path.stat().st_size < 25 * 1024 * 1024 and bombs.inflated_size(path) > 250 * 1024**2
    result, peak = upload(app, tmp_path, path)
    assert result["file_error"] == zh(ZIP_BOMB)
    assert peak < LIMIT_MB


def test_rich_text_and_phonetic_guides_in_shared_strings_read_as_plain_text(app, tmp_path):
    path = bombs.rich_text_header_xlsx(tmp_path / "rich.xlsx")
    with path.open("rb") as stream:
        positions, rows = roster.read_table(stream)
        assert positions["name"] == 0 and positions["gender"] == 1
        assert list(rows) == [(2, bombs.ROW)]


def test_a_part_inflating_past_its_declared_size_is_refused(app, tmp_path, files):
    path = files["lying"]
    assert bombs.inflated_size(path) < 10 * 1024  # what the directory claims
    result, peak = upload(app, tmp_path, path)
    assert result["file_error"] and result["rows"] == 0
    assert peak < LIMIT_MB


def test_a_million_row_csv_through_the_command_stays_small(app, tmp_path, files):
    path = files["csv"]
    code, _out, err, peak = measured(
        ["lms", "roster", "import", "--dry-run", str(path)],
        environment(app, tmp_path),
    )
    print(f"\n{path.name}: {path.stat().st_size / 1e6:.1f} MB on disk, peak RSS {peak:.0f} MB")
    assert code == 1
    assert zh(ROW_CAP, n="200,000") in err
    assert peak < LIMIT_MB


def test_the_streaming_reader_keeps_memory_flat_over_a_whole_million_row_csv(app, files):
    """Without the cap (2,000,000), every row of the CSV is read, and what Python allocates
    at its peak stays that of a few rows, not of the file."""
    tracemalloc.start()
    try:
        with files["csv"].open("rb") as stream:
            _positions, rows = roster.read_table(stream, max_rows=2_000_000)
            assert sum(1 for _ in rows) == 1_000_000
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\nreading 1,000,000 CSV rows: Python allocations peaked at {peak / 1e6:.1f} MB")
    assert peak < 16 * 1024 * 1024


def test_a_bloated_stylesheet_is_refused_from_the_zip_directory(tmp_path):
    """Styles, workbook and manifest become objects whole: more than 4 MB of them is refused."""
    path = bombs.rich_text_header_xlsx(tmp_path / "styles.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        fonts = "<font><sz val='11'/></font>" * 200_000
        archive.writestr("xl/styles.xml", f"<styleSheet><fonts>{fonts}</fonts></styleSheet>")
    with path.open("rb") as stream, pytest.raises(roster.RosterFileError) as refused:
        roster.read_table(stream)
    assert str(refused.value.message) == zh(ZIP_BOMB)
