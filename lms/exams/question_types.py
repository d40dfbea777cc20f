"""Question types as a registry. Each type checks its content, keeps its answer key, knows how a
candidate's response looks (and reads it from a posted form), scores it, and names the template
that shows it. A new type is a new class plus its template in templates/exams/types/, registered
with ``register``; views do not change. ``register_question_types`` (called by
``lms.registries.register_all``) registers the built-in types."""

from __future__ import annotations

import string
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

OPTION_KEYS = string.ascii_uppercase[:6]
SHORT_ANSWER_LIMIT = 2000


class QuestionType:
    key: ClassVar[str]
    label: ClassVar[Any]
    #: Scored by the machine; otherwise queued for examiners.
    auto_scored: ClassVar[bool] = True
    #: Whether the question has lettered options (shown in a per-candidate shuffled order).
    has_options: ClassVar[bool] = True

    @property
    def template(self) -> str:
        return f"exams/types/{self.key}.html"

    # Content ----------------------------------------------------------------------------

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        """Problems with a question as written (content file, import or form); empty when fine."""
        problems: list[Any] = []
        options = spec.get("options")
        if not self.has_options:
            if options:
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

    def parse_answer_text(self, text: str) -> Any:
        """The answer key from what an editor typed in the bank's form (e.g. "A,C", "对")."""
        return text.strip()

    # Candidates' responses ------------------------------------------------------------------

    def parse_answer(self, form_values: list[str]) -> Any:
        """The response from the values posted for the question by the paper's form (without
        JavaScript), before ``clean_response`` checks it; None when nothing was given."""
        if not form_values:
            return None
        return list(form_values) if self.has_options else form_values[0]

    def clean_response(self, value: Any, option_count: int) -> Any:
        """The response as stored (display letters), or raise ValueError when malformed."""
        raise NotImplementedError

    def to_original(self, value: Any, option_order: list[str]) -> Any:
        """Translate a response in display letters into the question's own option keys."""
        return value

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        """Points earned (None: an examiner must mark it)."""
        raise NotImplementedError


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Register (or replace) a question type under its key; idempotent."""
    REGISTRY[cls.key] = cls()
    return cls


def register_question_types() -> None:
    """Register the built-in question types."""
    for cls in (SingleChoice, MultipleChoice, TrueFalse, ShortAnswer):
        register(cls)


def get(key: str) -> QuestionType:
    return REGISTRY[key]


def _letters(value: Any, option_count: int) -> list[str]:
    allowed = OPTION_KEYS[:option_count]
    if not isinstance(value, list) or any(
        not isinstance(item, str) or item not in allowed for item in value
    ):
        raise ValueError("choose among the options shown")
    return sorted(set(value))


class SingleChoice(QuestionType):
    key = "single"
    label = _l("Single choice")

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        answer = spec.get("answer")
        if not isinstance(answer, str) or answer not in self.option_keys(spec):
            problems.append(_l("the answer must be one option key, e.g. B"))
        return problems

    def parse_answer_text(self, text: str) -> Any:
        return text.strip().upper()

    def clean_response(self, value: Any, option_count: int) -> Any:
        letters = _letters(value, option_count)
        if len(letters) > 1:
            raise ValueError("one option only")
        return letters

    def to_original(self, value: Any, option_order: list[str]) -> Any:
        return [option_order[OPTION_KEYS.index(letter)] for letter in value]

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        return points if response == [key] else 0.0


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

    def parse_answer_text(self, text: str) -> Any:
        return sorted({part.strip().upper() for part in text.replace("，", ",").split(",") if part})

    def clean_response(self, value: Any, option_count: int) -> Any:
        return _letters(value, option_count)

    def to_original(self, value: Any, option_order: list[str]) -> Any:
        return sorted(option_order[OPTION_KEYS.index(letter)] for letter in value)

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        chosen, correct = set(response or []), set(key)
        if chosen == correct:
            return points
        if not chosen or chosen - correct:
            return 0.0
        if rule == "half_for_subset":
            return round(points / 2, 2)
        if rule == "proportional":
            return round(points * len(chosen) / len(correct), 2)
        return 0.0


class TrueFalse(QuestionType):
    key = "truefalse"
    label = _l("True or false")
    has_options = False

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        if not isinstance(spec.get("answer"), bool):
            problems.append(_l("the answer must be true or false"))
        return problems

    def parse_answer_text(self, text: str) -> Any:
        return text.strip().lower() in {"true", "t", "对", "正确", "√", "是", "yes"}

    def parse_answer(self, form_values: list[str]) -> Any:
        return form_values[0] == "true" if form_values else None

    def clean_response(self, value: Any, option_count: int) -> Any:
        if not isinstance(value, bool):
            raise ValueError("true or false")
        return value

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        return points if response is key else 0.0


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

    def clean_response(self, value: Any, option_count: int) -> Any:
        if not isinstance(value, str):
            raise ValueError("text")
        return value.strip()[:SHORT_ANSWER_LIMIT]

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        return 0.0 if not response else None
