"""Backups of the whole database: SQLite's online backup API (a consistent copy while the
application keeps running), pg_dump/pg_restore for PostgreSQL (custom format)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from lms.db import normalize_url


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (pg_dump, pg_restore) understands it."""
    parsed = make_url(normalize_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return found


def _run(arguments: list[str]) -> None:
    # The arguments are our own: the tool's path, fixed options, the configured URL, a path.
    finished = subprocess.run(arguments, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(finished.stderr.strip() or f"{arguments[0]} failed")


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    database = _sqlite_path(url)
    if database is None:
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq_url(url)]
        )
        return
    if not database.exists():
        raise BackupError(f"no database at {database}")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(database)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.replace(target)  # a half-written file never carries the backup's name


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as connection:
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a backup of this application: {error}") from None


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the backup in ``source`` (stop the application
    first: requests during a restore would see a mix)."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    database = _sqlite_path(url)
    if database is None:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(url)}",
                str(source),
            ]
        )
        return
    _check_sqlite_backup(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(database)
    try:
        # The backup API replaces the live database's pages in one step, WAL included.
        backup_copy.backup(live)
    finally:
        live.close()
        backup_copy.close()
