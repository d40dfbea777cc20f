"""Question types as a registry: each type validates its content, keeps its answer key, parses a
candidate's response and scores it. A new type is a new class here; no view changes."""

from __future__ import annotations

import string
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

OPTION_KEYS = string.ascii_uppercase[:6]


class QuestionType:
    key: ClassVar[str]
    label: ClassVar[Any]
    #: Scored by the machine; otherwise queued for examiners.
    auto_scored: ClassVar[bool] = True
    #: Whether the content file gives lettered options.
    has_options: ClassVar[bool] = True

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        """Problems with a question as written in a content file (empty when fine)."""
        problems: list[Any] = []
        options = spec.get("options")
        if not self.has_options:
            if options is not None:
                problems.append(_l("a %(type)s question has no options", type=self.key))
            return problems
        if not isinstance(options, dict) or not options:
            return [_l("a %(type)s question needs options A, B, C…", type=self.key)]
        keys = [str(key) for key in options]
        if not 3 <= len(keys) <= 6:
            problems.append(_l("give between 3 and 6 options"))
        if keys != list(OPTION_KEYS[: len(keys)]):
            problems.append(_l("options must be keyed A, B, C… in order"))
        if any(
            isinstance(text, bool)
            or not isinstance(text, str | int | float)
            or not str(text).strip()
            for text in options.values()
        ):
            problems.append(_l("every option needs text"))
        return problems

    def answer_key(self, spec: dict[str, Any]) -> Any:
        """The answer key in the form stored in the database (JSON)."""
        return spec.get("answer")

    def option_keys(self, spec: dict[str, Any]) -> list[str]:
        return [str(key) for key in (spec.get("options") or {})]


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.key] = cls()
    return cls


def get(key: str) -> QuestionType:
    return REGISTRY[key]


@register
class SingleChoice(QuestionType):
    key = "single"
    label = _l("Single choice")

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        answer = spec.get("answer")
        if not isinstance(answer, str) or answer not in self.option_keys(spec):
            problems.append(_l("the answer must be one option key, e.g. B"))
        return problems


@register
class MultipleChoice(QuestionType):
    key = "multiple"
    label = _l("Multiple choice")

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        answer = spec.get("answer")
        keys = self.option_keys(spec)
        if (
            not isinstance(answer, list)
            or len(answer) < 2
            or len(set(answer)) != len(answer)
            or any(not isinstance(item, str) or item not in keys for item in answer)
        ):
            problems.append(
                _l("the answer must list at least two different option keys, e.g. [A, C]")
            )
        return problems

    def answer_key(self, spec: dict[str, Any]) -> Any:
        return sorted(spec["answer"])


@register
class TrueFalse(QuestionType):
    key = "truefalse"
    label = _l("True or false")
    has_options = False

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        if not isinstance(spec.get("answer"), bool):
            problems.append(_l("the answer must be true or false"))
        return problems


@register
class ShortAnswer(QuestionType):
    key = "short"
    label = _l("Short answer")
    auto_scored = False
    has_options = False

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        if not isinstance(spec.get("answer"), str) or not spec["answer"].strip():
            problems.append(_l("give a reference answer for the examiners"))
        return problems
