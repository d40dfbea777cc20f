"""Rate limits are shared by every process of a deployment: in Redis when configured, else in the
application's database (SQLite or PostgreSQL, whichever the tests run on)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import limits
import pytest
from limits.storage import storage_from_string
from sqlalchemy import func, select

from lms.config import ConfigError, load_config
from lms.core.ratelimit import (
    DatabaseStorage,
    RateLimitCounter,
    Throttle,
    shared_storage,
    storage_uri,
)
from lms.db import db, normalize_url, write_intent

ROOT = Path(__file__).resolve().parents[2]

#: One application process signing in with wrong passwords from one address, as a gunicorn
#: worker would serve it (its own interpreter, engine and limiter).
SIGN_IN_PROCESS = """
import json, sys
from lms import create_app
from tests.conftest import test_config
url, instance, address, count = sys.argv[1:]
app = create_app(test_config(url, instance, LOGIN_RATE_LIMIT="5 per minute"))
client = app.test_client()
statuses = [
    client.post(
        "/login",
        data={"username": "nobody-" + address, "password": "Not-The-Password-1"},
        environ_base={"REMOTE_ADDR": address},
    ).status_code
    for _ in range(int(count))
]
print(json.dumps(statuses))
"""


def sign_in_from_another_process(url: str, instance: Path, address: str, count: int) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", SIGN_IN_PROCESS, url, str(instance), address, str(count)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_together_are_held_to_one_sign_in_limit(database_url, tmp_path):
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    storage = DatabaseStorage(storage_uri(normalize_url(database_url)))
    try:
        first = sign_in_from_another_process(database_url, tmp_path, address, 3)
        second = sign_in_from_another_process(database_url, tmp_path, address, 3)
        # Five attempts per minute from one address, wherever they land: the sixth is refused.
        assert 429 not in first
        assert 429 not in second[:2]
        assert second[2] == 429
        counted = [
            storage.get(key) for key in _keys(storage) if address in key and "accounts.login" in key
        ]
        assert counted == [6]
    finally:
        storage.reset()
        storage.engine.dispose()


def _keys(storage: DatabaseStorage) -> list[str]:
    with storage.engine.connect() as connection:
        return list(connection.scalars(select(RateLimitCounter.key)))


def test_concurrent_hits_on_one_key_are_counted_exactly(database_url):
    storage = DatabaseStorage(storage_uri(normalize_url(database_url)))
    key = f"race/{uuid.uuid4()}"
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            counts = list(pool.map(lambda _: storage.incr(key, 600), range(200)))
        # Every hit saw its own count: none was lost or counted twice.
        assert sorted(counts) == list(range(1, 201))
        assert storage.get(key) == 200
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: storage.decr(key), range(50)))
        assert storage.get(key) == 150
    finally:
        storage.reset()
        storage.engine.dispose()


def test_windows_end_and_their_rows_are_swept(database_url):
    storage = DatabaseStorage(storage_uri(normalize_url(database_url)))
    key = f"window/{uuid.uuid4()}"
    long_key = "x" * 400
    try:
        assert storage.incr(key, 1) == 1
        assert storage.incr(key, 1) == 2
        assert storage.incr(long_key, 600) == 1  # keys longer than the column are hashed
        assert storage.get(long_key) == 1
        assert storage.get_expiry(key) > time.time()
        time.sleep(1.1)
        assert storage.get(key) == 0
        assert storage.incr(key, 600) == 1  # a new window starts from one
        storage.incr(f"other/{uuid.uuid4()}", 0.2)
        time.sleep(0.3)
        assert storage.sweep() == 1
        with storage.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(RateLimitCounter)) == 2
        storage.clear(key)
        assert storage.get(key) == 0
        assert storage.check()
    finally:
        storage.reset()
        storage.engine.dispose()


def test_counts_survive_the_rollback_of_the_request_that_made_them(app, committed):
    """A refused request rolls back its transaction; the attempt it made still counts (on
    SQLite it was written inside that transaction, which holds the write lock)."""
    storage = shared_storage()
    assert isinstance(storage, DatabaseStorage)
    token = write_intent.set(True)
    try:
        db.session.execute(select(1))  # the request's transaction has begun
        assert storage.incr("rollback/probe", 600) == 1
        assert storage.incr("rollback/probe", 600) == 2
        db.session.rollback()
        assert storage.get("rollback/probe") == 2
        db.session.execute(select(1))
        assert storage.incr("rollback/probe", 600) == 3
        db.session.commit()
        assert storage.get("rollback/probe") == 3
    finally:
        write_intent.reset(token)
        storage.reset()
        storage.engine.dispose()


def test_the_storage_is_redis_when_configured_and_the_database_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("LMS_REDIS_URL", raising=False)
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://lms@db/lms")
    config = load_config({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "testing"})
    assert config["RATELIMIT_STORAGE_URI"] == "lms+postgresql+psycopg://lms@db/lms"
    config = load_config(
        {"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "testing", "DATABASE_URL": "sqlite:///x.db"}
    )
    assert config["RATELIMIT_STORAGE_URI"] == "lms+sqlite:///x.db"
    monkeypatch.setenv("LMS_REDIS_URL", "redis://127.0.0.1:6379/13")
    config = load_config({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "testing"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/13"
    monkeypatch.delenv("LMS_REDIS_URL")
    production = {
        "INSTANCE_PATH": str(tmp_path),
        "ENV_NAME": "production",
        "SECRET_KEY": "s" * 40,
        "DATA_KEY": "d" * 40,
    }
    assert load_config(production)["RATELIMIT_STORAGE_URI"].startswith("lms+postgresql")
    with pytest.raises(ConfigError, match="memory"):
        load_config({**production, "RATELIMIT_STORAGE_URI": "memory://"})


REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.mark.parametrize("where", ["database", "redis"])
def test_throttles_count_failures_only_and_refuse_past_the_limit(app, where, monkeypatch):
    """The throttle services use (check-in codes) works on either shared storage."""
    throttle = Throttle("probe", "PROBE_LIMIT")
    monkeypatch.setitem(app.config, "PROBE_LIMIT", "3 per 10 minutes")
    saved = app.extensions.get("lms_rate_limit_storage")
    if where == "redis":
        app.extensions["lms_rate_limit_storage"] = storage_from_string(REDIS_URL)
    who = uuid.uuid4().hex
    try:
        for _ in range(5):  # successes are given back
            assert throttle.attempt(who) is None
            throttle.refund(who)
        assert [throttle.attempt(who) for _ in range(3)] == [None, None, None]
        wait = throttle.attempt(who)
        assert wait is not None and 590 <= wait <= 600
        assert throttle.attempt("someone else") is None
    finally:
        storage = shared_storage()
        storage.clear(limits.parse("3 per 10 minutes").key_for("probe", who))
        storage.clear(limits.parse("3 per 10 minutes").key_for("probe", "someone else"))
        app.extensions["lms_rate_limit_storage"] = saved
