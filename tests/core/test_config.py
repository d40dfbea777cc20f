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
