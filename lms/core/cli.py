"""How every ``lms`` command fails: its message on stderr in the default language (Chinese),
prefixed ``错误：``, and exit status 1. Commands raise :class:`CommandError` (or call :func:`fail`
when they have lines to show first, such as a file's problems); none calls ``sys.exit``."""

from __future__ import annotations

from typing import IO, Any, NoReturn

import click
from flask import has_app_context
from flask_babel import gettext as _


class CommandError(click.ClickException):
    """Stops the command with ``message`` (already translated by the caller) and exit status 1."""

    exit_code = 1

    def __init__(self, message: Any) -> None:
        message = str(message)
        # Formatted now, while the command's application context (and its language) is active.
        super().__init__(
            _("Error: %(message)s", message=message) if has_app_context() else f"Error: {message}"
        )

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def fail(message: Any, *lines: Any) -> NoReturn:
    """Print ``lines`` on stderr (one problem each), then stop with ``message``."""
    for line in lines:
        click.echo(str(line), err=True)
    raise CommandError(message)
