"""Settings from the environment.

Production (`LMS_ENV=production`) refuses to start without `LMS_SECRET_KEY` and `LMS_DATA_KEY`.
Development generates both once into the instance folder, so a fresh checkout runs with keys that
are unique to that machine instead of a default baked into the code.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def _instance_path() -> Path:
    return Path(os.environ.get("LMS_INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _generated_secret(instance: Path, name: str) -> str:
    """Return a random key kept in the instance folder, creating it on first use."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment and explicit overrides."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV_NAME", None) or os.environ.get("LMS_ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"LMS_ENV must be development, production or testing, not {env!r}")
    instance = Path(overrides.pop("INSTANCE_PATH", None) or _instance_path())
    production = env == "production"

    secret_key = overrides.pop("SECRET_KEY", None) or os.environ.get("LMS_SECRET_KEY")
    data_key = overrides.pop("DATA_KEY", None) or os.environ.get("LMS_DATA_KEY")
    if production:
        missing = [
            name
            for name, value in (("LMS_SECRET_KEY", secret_key), ("LMS_DATA_KEY", data_key))
            if not value
        ]
        if missing:
            raise ConfigError("production mode needs " + " and ".join(missing) + " to be set")
        if len(secret_key or "") < 32:
            raise ConfigError("LMS_SECRET_KEY must be at least 32 characters")
    secret_key = secret_key or _generated_secret(instance, "secret_key")
    data_key = data_key or _generated_secret(instance, "data_key")

    database_url = os.environ.get("LMS_DATABASE_URL") or f"sqlite:///{instance / 'lms.sqlite3'}"
    redis_url = os.environ.get("LMS_REDIS_URL") or None

    config: dict[str, Any] = {
        "ENV_NAME": env,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret_key,
        "DATA_KEY": data_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TESTING": env == "testing",
        "DEBUG": False,
        # Cookies: HttpOnly always, Secure whenever the site is served over HTTPS (production).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "lms_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        # The cookie is re-sent when the session changes, which the idle timer does at most
        # once a minute; re-signing it on every autosave would only cost time.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("LMS_IDLE_MINUTES", "120"))),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
        # Larger uploads, by endpoint (lms/core/uploads.py): a ZIP of photos, whose expanded
        # size certification/photos.py holds to the same figure.
        "UPLOAD_LIMITS": {
            "certificates.import_photos": int(os.environ.get("LMS_PHOTO_ZIP_MB", "200")) << 20
        },
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session; exams run for hours
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "lms" / "translations"),
        "LANGUAGES": ["zh_CN", "en"],
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT": timedelta(minutes=15),
        "LOGIN_RATE_LIMIT": os.environ.get("LMS_LOGIN_RATE_LIMIT", "20 per minute"),
        # Rate-limit counters: Redis when configured, else the application's database (set
        # below, after the overrides, from the final DATABASE_URL); never one process's memory.
        "RATELIMIT_HEADERS_ENABLED": True,
        # Wrong check-in codes one trainee may type per window; more wait for the window's end.
        "CHECK_IN_GUESS_LIMIT": os.environ.get("LMS_CHECK_IN_GUESS_LIMIT", "5 per 10 minutes"),
        # Argon2id cost; tests lower it so that creating many users stays quick.
        "PASSWORD_HASH_TIME_COST": 3,
        "PASSWORD_HASH_MEMORY_KIB": 65536,
        # Have I Been Pwned's SHA-1 file (ordered by hash), checked offline on every new password.
        "BREACHED_PASSWORDS_FILE": os.environ.get("LMS_BREACHED_PASSWORDS_FILE") or None,
        "PAGE_SIZE": 25,
        "COURSES_ROOT": os.environ.get("LMS_COURSES_ROOT") or str(PROJECT_ROOT / "courses"),
        # Study-time rules (see lms.learning.study); overridable for demonstrations and tests.
        "STUDY_HEARTBEAT_SECONDS": int(os.environ.get("LMS_STUDY_HEARTBEAT_SECONDS", "30")),
        "LESSON_MIN_FRACTION": float(os.environ.get("LMS_LESSON_MIN_FRACTION", "0.3")),
        # Video lessons (lms.learning.watching): the share of a video a trainee must have
        # played before the lesson counts as done, how often the player reports, and the
        # fastest playback rate that still earns credit.
        "LESSON_VIDEO_MIN_FRACTION": float(os.environ.get("LMS_LESSON_VIDEO_MIN_FRACTION", "0.9")),
        "WATCH_REPORT_SECONDS": int(os.environ.get("LMS_WATCH_REPORT_SECONDS", "15")),
        "WATCH_MAX_RATE": float(os.environ.get("LMS_WATCH_MAX_RATE", "2")),
        # Media (lms.core.storage, lms.content.media): a folder by default, an S3-compatible
        # bucket shared by every node when LMS_MEDIA_S3_URL is set.
        "MEDIA_ROOT": os.environ.get("LMS_MEDIA_ROOT") or None,
        "MEDIA_S3_URL": os.environ.get("LMS_MEDIA_S3_URL") or None,
        "MEDIA_S3_BUCKET": os.environ.get("LMS_MEDIA_S3_BUCKET", "lms-media"),
        "MEDIA_S3_KEY_ID": os.environ.get("LMS_MEDIA_S3_KEY_ID") or None,
        "MEDIA_S3_SECRET": os.environ.get("LMS_MEDIA_S3_SECRET") or None,
        "MEDIA_S3_REGION": os.environ.get("LMS_MEDIA_S3_REGION", "us-east-1"),
        "MEDIA_MAX_VIDEO_MB": int(os.environ.get("LMS_MEDIA_MAX_VIDEO_MB", "200")),
        "MEDIA_MAX_IMAGE_MB": int(os.environ.get("LMS_MEDIA_MAX_IMAGE_MB", "10")),
        # Where the public reaches this site (printed on certificates and in their QR codes).
        "PUBLIC_URL": os.environ.get("LMS_PUBLIC_URL", "http://127.0.0.1:5000"),
        # Certificate number positions 1–13 and the evaluation organisation (DOMAIN.md).
        "CERT_ORGANISATION_TYPE": os.environ.get("LMS_CERT_ORGANISATION_TYPE", "S"),
        "CERT_ORGANISATION_CODE": os.environ.get("LMS_CERT_ORGANISATION_CODE", "0000"),
        "CERT_PROVINCE": os.environ.get("LMS_CERT_PROVINCE", "14"),
        "CERT_SITE": os.environ.get("LMS_CERT_SITE", "040001"),
        "CERT_ORGANISATION_NAME": os.environ.get(
            "LMS_CERT_ORGANISATION_NAME", "长治市托育综合服务中心职业技能等级认定站"
        ),
        # The look-up addresses 人社鉴发〔2021〕1号 section 二(一) requires on every certificate:
        # 证书信息查询网址 and 机构信息查询网址 (certificates/README.md).
        "CERT_LOOKUP_URL": os.environ.get("LMS_CERT_LOOKUP_URL", "http://jndj.osta.org.cn"),
        "CERT_ORGANISATION_URL": os.environ.get(
            "LMS_CERT_ORGANISATION_URL", "http://pjjg.osta.org.cn"
        ),
        # The 证书正文 printed above the fields (certificates/README.md on its wording).
        "CERT_BODY_TEXT": os.environ.get("LMS_CERT_BODY_TEXT")
        or "本证书表明持证人通过按照国家职业技能标准组织的职业技能等级认定，"
        "具备该职业（工种）相应技能等级水平。",
        # The face of the fill-ins (小四号仿宋 per the notice): a fontconfig family name. No
        # freely licensed simplified-Chinese FangSong is packaged, so the default stands in
        # with the certificate's Song face; set e.g. "FZFangSong-Z02" where one is installed.
        "CERT_FONT_FILL": os.environ.get("LMS_CERT_FONT_FILL", ""),
        # Where the certificate font subsets are kept (built once, see certification/fonts.py).
        "CERT_FONT_CACHE": os.environ.get("LMS_CERT_FONT_CACHE") or str(instance / "fonts"),
        # Certificates rendered per background-job part (a unit of work for one process).
        "CERT_RENDER_PART": int(os.environ.get("LMS_CERT_RENDER_PART", "20")),
        # Years a certificate is valid for; unset (the default) means no expiry date.
        "CERT_VALID_YEARS": int(os.environ.get("LMS_CERT_VALID_YEARS") or 0) or None,
        # Calendar months a passed part (theory or skills) counts for towards its level: the
        # level passes when both parts pass within this period of each other (retakes, 补考;
        # see lms/grading/results.py for the rule and what sources were found).
        "RESULT_VALID_MONTHS": int(os.environ.get("LMS_RESULT_VALID_MONTHS", "12")),
        # Background jobs: processes for in-process jobs, Celery queue, and how long a job may
        # show no progress before a new request resumes it as interrupted.
        "JOB_WORKERS": int(os.environ.get("LMS_JOB_WORKERS") or os.cpu_count() or 1),
        "CELERY_QUEUE": os.environ.get("LMS_CELERY_QUEUE", "lms"),
        "JOB_STALE_SECONDS": int(os.environ.get("LMS_JOB_STALE_SECONDS", "120")),
        # Roster files: at most this many data rows; above ROSTER_JOB_ROWS the import runs as
        # a background job; uploads (checks) and previews per user are rate-limited.
        "ROSTER_MAX_ROWS": int(os.environ.get("LMS_ROSTER_MAX_ROWS", "200000")),
        "ROSTER_JOB_ROWS": int(os.environ.get("LMS_ROSTER_JOB_ROWS", "2000")),
        "ROSTER_UPLOAD_RATE_LIMIT": os.environ.get("LMS_ROSTER_UPLOAD_RATE_LIMIT", "30 per hour"),
        "ROSTER_PREVIEW_RATE_LIMIT": os.environ.get(
            "LMS_ROSTER_PREVIEW_RATE_LIMIT", "120 per hour"
        ),
        # The licensed-to-work rate: which kinds of certificate issued elsewhere qualify
        # (comma-separated, see certification.models.ExternalKind; ours always do), and the
        # city's target.
        "QUALIFYING_KINDS": tuple(
            kind.strip()
            for kind in os.environ.get(
                "LMS_QUALIFYING_KINDS", "baoyushi,baoyuyuan,yuyingyuan"
            ).split(",")
            if kind.strip()
        ),
        "RATE_TARGET": float(os.environ.get("LMS_RATE_TARGET", "0.9")),
        # Reverse proxies (nginx) in front of the application whose X-Forwarded-For/-Proto/-Host
        # are trusted; 0 (the default) trusts none, so clients cannot forge their address.
        "PROXY_HOPS": int(os.environ.get("LMS_PROXY_HOPS", "0")),
    }
    config.update(overrides)
    if not config.get("RATELIMIT_STORAGE_URI"):
        from lms.core.ratelimit import storage_uri
        from lms.db import normalize_url

        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or storage_uri(
            normalize_url(config["DATABASE_URL"])
        )
    if production and config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        raise ConfigError("rate limits must be shared by every process: not memory:// storage")
    return config
