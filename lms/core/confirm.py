"""Asking before an action that cannot be undone: the one home of the confirmation step.

A view that publishes results, revokes, rejects or deactivates calls ``unless_confirmed`` with
what will happen and to how many (counted on the server, now). Unless the posted form carries
``confirmed`` equal to that count, the action does not run: the answer is a page saying what will
happen, to how many, with a button that posts the same fields again plus ``confirmed``. If the
count changed in between (another administrator acted), the page asks again with the new count.
It works without JavaScript; nothing else in the request is trusted.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

#: The form field carrying the count the user saw and confirmed.
FIELD = "confirmed"
#: Fields not repeated on the confirmation page (it carries a fresh CSRF token).
_NOT_REPEATED = frozenset({FIELD, "csrf_token"})


def is_confirmed(count: int) -> bool:
    """True when the user confirmed exactly ``count`` (as computed now on the server)."""
    return request.form.get(FIELD, "").strip() == str(count)


def unless_confirmed(
    *, title: Any, what: Any, count: int, button: Any, cancel: str, danger: bool = True
) -> str | None:
    """None when the post confirms ``count``; otherwise the confirmation page to answer with."""
    if is_confirmed(count):
        return None
    stale = FIELD in request.form
    fields = [
        (name, value)
        for name, values in request.form.lists()
        if name not in _NOT_REPEATED
        for value in values
    ]
    return render_template(
        "core/confirm.html",
        title=title,
        what=what,
        count=count,
        button=button,
        cancel=cancel,
        danger=danger,
        stale=stale,
        fields=fields,
        field_name=FIELD,
    )
