"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

After a successful sign-in the browser receives a signed cookie naming the account and a random
nonce; the database keeps a hash of the nonce with that browser's own failure count. Failures
from browsers without such a cookie are counted on the account and lock out untrusted browsers
only, so a stranger guessing passwords cannot lock the owner out of a browser they used before.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from lms.accounts.models import TrustedDevice, User
from lms.db import db

COOKIE_NAME = "lms_device"
#: A browser not used to sign in for this long is a stranger again.
LIFETIME = timedelta(days=180)
#: Accounts one browser is remembered for (a computer shared by the staff of an institution).
ACCOUNTS_PER_BROWSER = 10


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lms.accounts.device-cookie")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _entries(cookie: str | None) -> list[tuple[int, str]]:
    """The (account id, nonce) pairs of a genuine cookie, most recent first; none if forged."""
    if not cookie:
        return []
    try:
        data = _serializer().loads(cookie)
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    return [
        (entry[0], entry[1])
        for entry in data
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int)
        and isinstance(entry[1], str)
    ]


def find(cookie: str | None, user: User, now: datetime) -> TrustedDevice | None:
    """The trusted device the cookie stands for, if it is genuine, for ``user`` and recent."""
    nonce = next((n for user_id, n in _entries(cookie) if user_id == user.id), None)
    if nonce is None:
        return None
    device = db.session.scalar(
        select(TrustedDevice).where(
            TrustedDevice.nonce_hash == _digest(nonce), TrustedDevice.user_id == user.id
        )
    )
    if device is None or device.last_used_at < now - LIFETIME:
        return None
    return device


def is_locked(device: TrustedDevice, now: datetime) -> bool:
    return device.locked_until is not None and device.locked_until > now


def remember(user: User, device: TrustedDevice | None, cookie: str | None, now: datetime) -> str:
    """After a successful sign-in: the browser's new cookie value, with a fresh nonce for
    ``user`` and the other accounts it already held."""
    if device is None:
        db.session.execute(
            delete(TrustedDevice).where(
                TrustedDevice.user_id == user.id, TrustedDevice.last_used_at < now - LIFETIME
            )
        )
        device = TrustedDevice(user_id=user.id, created_at=now)
        db.session.add(device)
    nonce = secrets.token_urlsafe(24)
    device.nonce_hash = _digest(nonce)
    device.failed_logins = 0
    device.locked_until = None
    device.last_used_at = now
    db.session.flush()
    others = [[user_id, n] for user_id, n in _entries(cookie) if user_id != user.id]
    entries = [[user.id, nonce], *others][:ACCOUNTS_PER_BROWSER]
    return str(_serializer().dumps(entries))
