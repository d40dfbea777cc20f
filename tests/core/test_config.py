import pytest

from lms import create_app
from lms.config import ConfigError, load_config


def test_production_refuses_to_start_without_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.delenv("LMS_DATA_KEY", raising=False)
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY and LMS_DATA_KEY"):
        create_app({"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="LMS_DATA_KEY"):
        create_app({"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("LMS_SECRET_KEY", "too-short")
    monkeypatch.setenv("LMS_DATA_KEY", "d" * 40)
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path)})


def test_production_uses_the_environment_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LMS_DATA_KEY", "d" * 40)
    config = load_config({"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path)})
    assert config["SECRET_KEY"] == "s" * 40
    assert config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_unique_keys_once(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.delenv("LMS_DATA_KEY", raising=False)
    first = load_config({"ENV_NAME": "development", "INSTANCE_PATH": str(tmp_path / "a")})
    again = load_config({"ENV_NAME": "development", "INSTANCE_PATH": str(tmp_path / "a")})
    other = load_config({"ENV_NAME": "development", "INSTANCE_PATH": str(tmp_path / "b")})
    assert first["SECRET_KEY"] == again["SECRET_KEY"]
    assert first["SECRET_KEY"] != other["SECRET_KEY"]
    assert first["DATA_KEY"] != first["SECRET_KEY"]
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"ENV_NAME": "staging", "INSTANCE_PATH": str(tmp_path)})


PROXY_PROBE = """
import sys
from lms import create_app
from lms.db import db
app = create_app({"ENV_NAME": "testing", "INSTANCE_PATH": sys.argv[1],
                  "DATABASE_URL": "sqlite:///" + sys.argv[1] + "/p.sqlite3",
                  "SECRET_KEY": "k" * 40, "DATA_KEY": "d" * 40, "WTF_CSRF_ENABLED": False,
                  "PROXY_HOPS": int(sys.argv[2])})
with app.app_context():
    from lms.models import metadata
    metadata.create_all(db.engine)
client = app.test_client()
client.post("/login", data={"username": "nobody", "password": "x" * 12},
            headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
with app.app_context():
    from lms.core.audit import AuditEvent
    print(db.session.query(AuditEvent.ip).filter(AuditEvent.action == "login.failed").scalar())
"""


@pytest.mark.parametrize(("hops", "recorded"), [(0, "10.0.0.2"), (1, "203.0.113.7")])
def test_client_addresses_come_from_trusted_proxies_only(tmp_path, hops, recorded):
    """Behind nginx (LMS_PROXY_HOPS=1) the audit log and the limits see the client's address;
    without a trusted proxy a forged X-Forwarded-For header is ignored. (A process of its own:
    the application object is global to the test session.)"""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", PROXY_PROBE, str(tmp_path), str(hops)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == recorded
