"""Shared pieces of the benchmarks: throw-away databases on SQLite and PostgreSQL, output, and
the smoke size (``BENCH_SMOKE=1`` or ``python -m bench --smoke``) that ``make test`` runs so a
change that breaks a benchmark fails CI."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms.db import normalize_url

#: Smoke size: hundreds of rows, tens of candidates and certificates, every check still on.
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")

#: PostgreSQL server used by the benchmarks; they create and drop their own database on it
#: (never the one the URL names). In smoke mode PostgreSQL is measured only when one of these
#: variables names a server, as ``make test`` does with LMS_TEST_DATABASE_URL.
_POSTGRES_CONFIGURED = os.environ.get("LMS_BENCH_POSTGRES_URL") or os.environ.get(
    "LMS_TEST_DATABASE_URL"
)
POSTGRES_URL = normalize_url(_POSTGRES_CONFIGURED or "postgresql+psycopg://127.0.0.1:5432/postgres")
#: One throw-away database per run, so two runs (or a run and the test suite) never share one
#: and dropping it cannot touch anything else.
BENCH_DATABASE = f"lms_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def size(full: int, smoke: int) -> int:
    """``full`` for ``make bench``, ``smoke`` in smoke mode."""
    return smoke if SMOKE else full


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


@contextmanager
def postgresql_database() -> Iterator[str]:
    """A fresh database on the benchmark PostgreSQL server, dropped afterwards."""
    server = make_url(POSTGRES_URL)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    try:
        yield server.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        admin.dispose()


def postgresql_available() -> str | None:
    """None when the benchmark PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(make_url(POSTGRES_URL))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return str(error).splitlines()[0]
    return None


def databases() -> Iterator[tuple[str, Any]]:
    """(name, context manager) for SQLite and, when reachable, PostgreSQL; the environment
    variable LMS_BENCH_DATABASES (e.g. ``sqlite``) narrows the choice."""
    wanted = os.environ.get("LMS_BENCH_DATABASES", "sqlite,postgresql").split(",")
    if "sqlite" in wanted:
        yield "sqlite", sqlite_database
    if "postgresql" not in wanted:
        return
    if SMOKE and not _POSTGRES_CONFIGURED:
        note("PostgreSQL not measured: smoke run without LMS_TEST_DATABASE_URL")
        return
    reason = postgresql_available()
    if reason is None:
        yield "postgresql", postgresql_database
    else:
        note(f"PostgreSQL not measured: {reason}")


def make_bench_app(url: str, instance: str) -> Any:
    from lms import create_app

    return create_app(
        {
            "ENV_NAME": "testing",
            "INSTANCE_PATH": instance,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-0000000000000000000000",
            "DATA_KEY": "bench-data-key-000000000000",
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_KIB": 1024,
            "CERT_FONT_CACHE": str(Path(__file__).parent.parent / ".cache" / "fonts"),
        }
    )


def migrate(url: str) -> None:
    from alembic import command

    from lms.cli import alembic_config

    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
