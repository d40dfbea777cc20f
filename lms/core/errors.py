"""Domain errors and the HTTP error pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from lms.db import db


class DomainError(Exception):
    """A rule of the domain refused an operation; ``message`` is shown to the user.

    The one base of the errors that carry a message for users (refusals of services, a roster
    file that cannot be read, a mistyped field or ID number): views catch ``DomainError`` and show
    ``error.message``; the error handler answers one that escapes with its ``status``."""

    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("File too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Service unavailable"),
}

_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist or is not visible to you."),
    405: _l("This page cannot be used that way."),
    413: _l("The uploaded file is larger than allowed."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
    503: _l("The system is temporarily unavailable. Nothing was saved; please try again shortly."),
}


#: Machine-readable error codes of JSON answers (the API's clients branch on these).
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: Any = None, code: str | None = None) -> Any:
    message = message or _MESSAGES.get(status, _TITLES.get(status, ""))
    if _wants_json():
        body = {"error": {"code": code or _CODES.get(status, str(status)), "message": str(message)}}
        return jsonify(body), status
    title = _TITLES.get(status, str(status))
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        return error_response(error.status, error.message, error.code)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        return error_response(
            400,
            _l("The form has expired or was not sent from this site. Please reload the page."),
            "csrf",
        )

    # Unhandled exceptions reach this as InternalServerError after Flask has logged them (and
    # propagate instead when testing, so that tests show the traceback).
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status >= 500:
            # The failed transaction must not break the error page itself.
            db.session.rollback()
        message = _MESSAGES.get(status) if status != 400 else (error.description or None)
        body, status = error_response(status, message)
        # Keep the exception's own headers: Allow on 405 (RFC 9110 requires it), Retry-After
        # on 429 and 503, WWW-Authenticate on 401.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return body, status, headers

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> Any:
        app.logger.error("database error: %s", error)
        db.session.rollback()
        return error_response(503)
