"""Validators for Chinese personal data other than ID numbers."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from lms.core.errors import DomainError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z·\s]{2,30}$")
#: Separators people type in minority names (买买提·艾力): all are stored as the middle dot.
_NAME_DOTS = re.compile(r"[•・.．]")


class FieldError(DomainError, ValueError):
    """A value a user typed is not acceptable; ``message`` says why."""


def normalize_mobile(text: str) -> str:
    """Return an 11-digit mainland mobile number; accepts +86/86 prefixes, spaces and dashes."""
    value = re.sub(r"[\s\-()]", "", text or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if not value:
        raise FieldError(_l("Mobile number is required"))
    if not _MOBILE.match(value):
        raise FieldError(_l("Not a mainland mobile number (11 digits starting with 13–19)"))
    return value


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


def normalize_person_name(text: str) -> str:
    """Trim a person's name and unify the dot used in minority names; no splitting into parts."""
    value = _NAME_DOTS.sub("·", (text or "").strip())
    value = re.sub(r"\s+", " ", value)
    if not value:
        raise FieldError(_l("Name is required"))
    if not _NAME.match(value):
        raise FieldError(_l("Name must be 2–30 Chinese characters or letters"))
    return value
