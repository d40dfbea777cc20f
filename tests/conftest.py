"""Test harness: one database per run (SQLite file, or PostgreSQL from LMS_TEST_DATABASE_URL),
migrated with Alembic; every test runs inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient

from lms import create_app
from lms.cli import alembic_config
from lms.core.ratelimit import shared_storage
from lms.db import db, make_engine, utcnow
from lms.extensions import limiter
from lms.reports import cache as report_cache

TEST_PASSWORD = "Quiet-Harbour-Lantern-42"


def pytest_sessionstart(session: pytest.Session) -> None:
    """The shipped lessons show a video drawn at build time (lms courses media build): draw it
    once per checkout (a stamp makes later runs skip it), so the content can be read."""
    from lms.content import demo_video

    demo_video.build(Path(__file__).parent.parent / "courses")


def pytest_report_header() -> str:
    return f"database: {os.environ.get('LMS_TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


def reset_database(url: str) -> None:
    """Empty the database and migrate it to the newest schema."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    reset_database(url)
    return url


def test_config(database_url: str, instance_path: str, **overrides: Any) -> dict[str, Any]:
    return {
        "ENV_NAME": "testing",
        "INSTANCE_PATH": instance_path,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000000",
        "DATA_KEY": "test-data-key-0123456789abcdef",
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "lms.test",
        # Font subsets are built once per checkout, not once per test run.
        "CERT_FONT_CACHE": os.environ.get("LMS_TEST_FONT_CACHE")
        or str(Path(__file__).parent.parent / ".cache" / "fonts"),
        **overrides,
    }


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app(test_config(database_url, str(tmp_path_factory.mktemp("instance"))))


def _join_job_threads(timeout: float = 60) -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("lms-job-") and thread is not threading.current_thread():
            thread.join(timeout)


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test in an app context, inside a transaction rolled back at the end."""
    if "app" not in request.fixturenames or "committed" in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    engine = flask_app.extensions["lms_engine"]
    connection = engine.connect()
    outer = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    limiter.enabled = False
    with flask_app.app_context():
        try:
            yield
        finally:
            # A request that started a background job (the bulk-issue button) leaves a thread
            # whose session is bound to this test's connection: let it finish before the
            # connection is rolled back and handed to the next test.
            _join_job_threads()
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            _forget_rate_limits()
            # Rolling back the test also rolls back the revision counter, so the next test
            # could meet figures cached for this test's data under the same revision.
            report_cache.clear()


@pytest.fixture
def committed(app: Flask) -> Iterator[None]:
    """For tests that commit from several connections at once (races): no wrapping transaction;
    every table is emptied afterwards."""
    from lms.models import metadata

    db.session.remove()
    limiter.enabled = False
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            assert db.engine is not None
            with db.engine.begin() as connection:
                for table in reversed(metadata.sorted_tables):
                    connection.execute(table.delete())
            report_cache.clear()
            _forget_rate_limits()


def _forget_rate_limits() -> None:
    """Counters live outside the test's transaction (they must survive a rolled-back request),
    and rolled-back ids are handed out again: without this a later test's trainee or address
    would start with an earlier test's failed attempts."""
    shared_storage().reset()


@contextmanager
def fresh_request_globals(flask_app: Flask) -> Iterator[None]:
    """Requests share the test's app context; give each its own ``g`` like a real server."""
    context = app_ctx._get_current_object()  # type: ignore[attr-defined]
    saved = context.g
    context.g = flask_app.app_ctx_globals_class()
    try:
        yield
    finally:
        context.g = saved


class Client(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Test set-up is committed (to the test's savepoint) so a failing request's rollback
        # cannot take it away.
        db.session.commit()
        with fresh_request_globals(self.application):
            return super().open(*args, **kwargs)

    def login_as(self, user: Any) -> None:
        """Sign in without the form (the form itself is tested in tests/accounts)."""
        with self.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["login_at"] = session["seen"] = utcnow().timestamp()


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def freeze_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``freeze_clock(moment)`` stops the application's one clock (``lms.core.localtime``) at an
    aware moment: every stored "now", Changzhi's "today" and the session timers read it."""
    from lms.core import localtime

    def freeze(moment: Any) -> None:
        assert moment.tzinfo is not None
        monkeypatch.setattr(localtime, "_clock", lambda: moment)

    return freeze


@pytest.fixture
def csrf_enabled(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """CSRF checks on, as in production (the test configuration turns them off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def zh(message: str, **params: Any) -> str:
    """The Chinese text users see for ``message``; fails if the catalog does not translate it."""
    text = _catalog().gettext(message)
    text = text % params if params else text
    assert text != (message % params if params else message), f"not translated: {message!r}"
    return text


def _catalog() -> Any:
    """The compiled Chinese catalog, read directly so browser tests need no application."""
    from babel.support import Translations

    return Translations.load(
        str(Path(__file__).parents[1] / "lms" / "translations"), ["zh_Hans_CN"]
    )


def zh_fragments(message: str) -> list[str]:
    """The literal pieces of a translated message around its placeholders."""
    import re

    from flask_babel import force_locale, gettext

    with force_locale("zh_CN"):
        template = gettext(message)
    assert template != message, f"not translated: {message!r}"
    return [piece for piece in re.split(r"%\(\w+\)[sd]", template) if piece.strip()]
