"""Asking before an action that cannot be undone: the one home of the confirmation step.

A view that publishes results, revokes, rejects or deactivates calls ``step`` (or, when the
action answers with a page of its own, ``unless_confirmed``) with what will happen and to how
many (counted on the server, now). Unless the posted form carries ``confirmed`` equal to that
count, the action does not run: the answer is a page saying what will happen, to how many, with a
button that posts the same fields again plus ``confirmed``. If the count changed in between
(another administrator acted), the page asks again with the new count. It works without
JavaScript; nothing else in the request is trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request
from flask_wtf import FlaskForm

from lms.core.errors import DomainError

#: The form field carrying the count the user saw and confirmed.
FIELD = "confirmed"
#: Fields not repeated on the confirmation page (it carries a fresh CSRF token).
_NOT_REPEATED = frozenset({FIELD, "csrf_token"})

T = TypeVar("T")


def is_confirmed(count: int) -> bool:
    """True when the user confirmed exactly ``count`` (as computed now on the server)."""
    return request.form.get(FIELD, "").strip() == str(count)


def unless_confirmed(
    *,
    title: Any,
    what: Any,
    count: int,
    button: Any,
    cancel: str,
    danger: bool = True,
    fields: Mapping[str, Any] | None = None,
) -> str | None:
    """None when the post confirms ``count``; otherwise the confirmation page to answer with.

    The page posts the form's fields again; ``fields`` replaces some of them (a sheet saved
    while asking carries its new version)."""
    if is_confirmed(count):
        return None
    stale = FIELD in request.form
    replaced = dict(fields or {})
    posted = [
        (name, value)
        for name, values in request.form.lists()
        if name not in _NOT_REPEATED and name not in replaced
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
        fields=posted + [(name, str(value)) for name, value in replaced.items()],
        field_name=FIELD,
    )


def step(
    *,
    title: Any,
    what: Any,
    count: int,
    cancel: str,
    act: Callable[[], T],
    done: Any = None,
    then: str | Callable[[T], str] | None = None,
    button: Any = None,
    form: FlaskForm | None = None,
    invalid: Any = None,
    ask: bool = True,
    danger: bool = True,
    category: str = "success",
    flash_errors: bool = True,
) -> Any:
    """Ask, then act: the one shape of every view that confirms an action, runs it, says so and
    goes back.

    ``form`` (when given) must validate, or nothing happens and the user goes back to ``cancel``
    (told ``invalid`` when given). Unless ``ask`` is False (the action would be refused anyway,
    and the service says why), the confirmation page answers until the post confirms ``count``.
    Then ``act()`` runs; ``done`` (a message, or a function of what ``act`` returned) is
    flashed, and the user is sent to ``then`` (an address, or a function of the result;
    ``cancel`` by default). A refusal (``DomainError``) is flashed and the user goes back to
    ``cancel``; with ``flash_errors=False`` it is answered by the error handlers instead."""
    if form is not None and not form.validate_on_submit():
        if invalid is not None:
            flash(invalid, "error")
        return redirect(cancel)
    if ask:
        asked = unless_confirmed(
            title=title,
            what=what,
            count=count,
            button=title if button is None else button,
            cancel=cancel,
            danger=danger,
        )
        if asked is not None:
            return asked
    try:
        result = act()
    except DomainError as error:
        if not flash_errors:
            raise
        flash(error.message, "error")
        return redirect(cancel)
    message = done(result) if callable(done) else done
    if message is not None:
        flash(message, category)
    if callable(then):
        return redirect(then(result))
    return redirect(cancel if then is None else then)
