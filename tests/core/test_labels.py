"""Enumerations shown to people have their labels one way (lms.core.labels.LabelledEnum), each
member labelled and translated."""

from __future__ import annotations

import enum
import importlib
import pkgutil

import pytest
from flask_babel import force_locale

import lms
from lms.core.labels import LabelledEnum


def _all_enums() -> list[type[enum.Enum]]:
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        if module.name in {"lms.wsgi", "lms.jobs.worker"}:  # they build an app when imported
            continue
        importlib.import_module(module.name)
    found: list[type[enum.Enum]] = []
    pending: list[type] = [enum.Enum]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("lms.") and list(subclass):  # type: ignore[call-overload]
                found.append(subclass)
    return found


def labelled() -> list[type[LabelledEnum]]:
    return [kind for kind in _all_enums() if issubclass(kind, LabelledEnum)]


def test_every_enum_with_labels_is_a_labelled_enum():
    own_way = [
        kind.__name__
        for kind in _all_enums()
        if "label" in vars(kind) and not issubclass(kind, LabelledEnum)
    ]
    assert not own_way, own_way


@pytest.mark.parametrize("kind", labelled(), ids=lambda kind: kind.__name__)
def test_every_member_has_a_chinese_label_and_nothing_else_is_labelled(app, kind):
    assert set(kind.__labels__) == {member.value for member in kind}
    with app.test_request_context(), force_locale("zh_CN"):
        for member in kind:
            assert any("\u4e00" <= char <= "\u9fff" for char in member.label), member
    with app.test_request_context(), force_locale("en"):
        assert all(member.label for member in kind)


def test_the_roles_are_labelled_as_before(app):
    from lms.core.roles import Role

    with app.test_request_context(), force_locale("zh_CN"):
        assert Role.TRAINEE.label == str(Role.__labels__["trainee"]) != "trainee"
