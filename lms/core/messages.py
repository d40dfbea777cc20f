"""Times and days inside translated messages: the one place they are formatted.

A message such as ``_l("The exam opens at %(t)s", t=session.opens_at)`` once read
"2027-12-05 00:00:00+00:00" (Python's own text for a UTC timestamp) while the page beside it
said 08:00. Every translated message, in Python (``_``, ``_l``, ``ngettext`` and their lazy
forms, hence every flash, ``DomainError`` and JSON error) and in templates (``{{ _(...) }}``),
is filled in through the functions installed here, which turn a ``datetime`` into Changzhi
wall-clock time (``localtime.format_local``, short style, as the pages show it) and a ``date``
into the reader's way of writing a day. Callers pass the value itself; nobody formats a time
for a message by hand (``tests/core/test_message_times.py`` keeps ``isoformat``/``strftime``
out of message arguments)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import Babel, Domain
from jinja2 import pass_context
from jinja2.runtime import Context

from lms.core.localtime import format_local

#: How a time reads in a message (Babel's style): the pages' short form, e.g. 2027/12/5 08:00.
TIME_STYLE = "short"


def message_value(value: Any) -> Any:
    """A value as a message shows it: times in Changzhi, days in the reader's language."""
    if isinstance(value, datetime):
        return format_local(value, TIME_STYLE)
    if isinstance(value, date):
        from flask import has_app_context

        if not has_app_context():
            from babel.dates import format_date as babel_format_date

            return babel_format_date(value, "long", locale="zh_CN")
        from flask_babel import format_date

        return format_date(value, "long")
    return value


def message_values(variables: dict[str, Any]) -> dict[str, Any]:
    return {name: message_value(value) for name, value in variables.items()}


class LocalTimeDomain(Domain):
    """Flask-Babel's message domain, filling messages with :func:`message_value`."""

    def gettext(self, string: str, **variables: Any) -> str:
        return super().gettext(string, **message_values(variables))

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        return super().ngettext(singular, plural, num, **message_values(variables))

    def pgettext(self, context: str, string: str, **variables: Any) -> str:
        return super().pgettext(context, string, **message_values(variables))

    def npgettext(
        self, context: str, singular: str, plural: str, num: int, **variables: Any
    ) -> str:
        return super().npgettext(context, singular, plural, num, **message_values(variables))


def _localising(original: Any) -> Any:
    """A template gettext callable (Jinja's new-style, which fills the message itself) that
    first turns the message's times and days into text."""

    @pass_context
    def call(context: Context, *args: Any, **variables: Any) -> Any:
        return original(context, *args, **message_values(variables))

    return call


def colon(text: Any) -> str:
    """``text`` followed by a colon of its language: full-width after Chinese (``导出：``),
    ``: `` otherwise. The templates' ``|colon`` filter, so no half-width colon follows Chinese."""
    from flask_babel import get_locale

    locale = get_locale()
    return f"{text}: " if locale is not None and locale.language == "en" else f"{text}："


def install(app: Flask, babel: Babel) -> None:
    """Use the localising domain for Python messages and wrap the templates' callables; call
    after ``babel.init_app``."""
    babel.domain_instance = LocalTimeDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.jinja_env.filters["colon"] = colon
    globals_ = app.jinja_env.globals
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        if name in globals_:
            globals_[name] = _localising(globals_[name])
