"""Errors that carry a message for users have one base, lms.core.errors.DomainError."""

from __future__ import annotations

from pathlib import Path

import pytest

import lms
from lms.core.errors import DomainError
from lms.core.idnumber import IdNumberError
from lms.core.validators import FieldError
from lms.org.roster import RosterFileError


def test_only_domain_error_sets_a_message():
    root = Path(lms.__file__).parent
    setting = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "self.message =" in path.read_text(encoding="utf-8")
    )
    assert setting == ["core/errors.py"]


@pytest.mark.parametrize("error_class", [IdNumberError, FieldError, RosterFileError])
def test_messages_for_users_are_domain_errors(error_class):
    error = error_class("说明")
    assert isinstance(error, DomainError) and isinstance(error, ValueError)
    assert error.message == "说明" and str(error) == "说明"
