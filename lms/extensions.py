"""Flask extensions, created without an application and bound in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

# Registers the ``lms+<database URL>`` storage scheme that RATELIMIT_STORAGE_URI names when
# there is no Redis: counters shared by every process, in the application's database.
from lms.core import ratelimit  # noqa: F401

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
