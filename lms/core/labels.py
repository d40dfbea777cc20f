"""Enumerations whose members have a label for people: one way to write them.

    class JobStatus(LabelledEnum):
        QUEUED = "queued"
        FAILED = "failed"

        __labels__ = labels({QUEUED: _l("Queued"), FAILED: _l("Failed")})

Inside the class body a member's name still stands for its value, so the mapping is keyed by
values and sits beside the members it labels. ``member.label`` is the label in the current
language.
``tests/core/test_labels.py`` checks that every member of every such enum has a translated label.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar


class LabelledEnum(StrEnum):
    __labels__: ClassVar[Mapping[str, Any]]

    @property
    def label(self) -> str:
        return str(type(self).__labels__[str(self.value)])


def labels(by_value: Mapping[str, Any]) -> Mapping[str, Any]:
    """An enum's labels by value, read-only."""
    return MappingProxyType(dict(by_value))
