"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from lms.accounts.breached import is_breached
from lms.core.errors import DomainError

#: ASVS 2.1.1: at least 12 characters.
MIN_LENGTH = 12
MAX_LENGTH = 128
#: zxcvbn score (0–4) a password needs: 3 = "safely unguessable" against online attacks.
MIN_STRENGTH = 3


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_KIB"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def burn_verification_time() -> None:
    """Spend the time of one verification, so unknown usernames answer as slowly as known ones."""
    verify_password(_dummy_hash(), "not the password")


def _dummy_hash() -> str:
    """A hash made with the current cost settings, so verifying it costs what a real one does."""
    config = current_app.config
    cache = current_app.extensions.setdefault("lms_dummy_hash", {})
    key = (config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"])
    if key not in cache:
        cache[key] = hash_password(secrets.token_hex(16))
    return cache[key]


class WeakPassword(DomainError):
    code = "weak_password"


def check_policy(password: str, *, user_inputs: list[str]) -> None:
    """Refuse short, common, leaked or personal passwords."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_l("Password must have at least %(n)d characters", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_l("Password must have at most %(n)d characters", n=MAX_LENGTH))
    lowered = password.lower()
    for item in user_inputs:
        if item and len(item) >= 4 and item.lower() in lowered:
            raise WeakPassword(_l("Password must not contain your user name, phone or name"))
    if is_breached(password, sha1_corpus=current_app.config["BREACHED_PASSWORDS_FILE"]):
        raise WeakPassword(_l("This password has appeared in a data breach; choose another"))
    result = zxcvbn(password[:100], user_inputs=[item for item in user_inputs if item])
    if result["score"] < MIN_STRENGTH:
        raise WeakPassword(
            _l("Password is too easy to guess (common, leaked or patterned); choose a longer one")
        )


def generate_password() -> str:
    """A random initial password that passes the policy and is easy to type on a phone."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate
