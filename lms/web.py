"""Wiring of the web layer: extensions, blueprints, template helpers and response headers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask, Response, flash, has_request_context, redirect, request, session, url_for
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from lms import navigation
from lms.core import messages
from lms.core.audit import action_label
from lms.core.levels import level_name
from lms.core.localtime import format_local
from lms.core.roles import Role
from lms.core.validators import mask_mobile
from lms.db import utcnow
from lms.extensions import babel, csrf, limiter, login_manager

SUPPORTED_LANGUAGES = {"zh_CN": "中文", "en": "English"}
#: Absolute limit of a signed-in session, however active.
SESSION_MAX_AGE = timedelta(hours=12)


def select_locale() -> str:
    """``?lang=`` chooses the language of this response only (a GET never stores anything);
    the choice kept in the session is made by POST /language (accounts.set_language)."""
    if not has_request_context():
        return "zh_CN"  # CLI output and background jobs speak the default language
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    chosen = session.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return "en" if best == "en" else "zh_CN"


def init_extensions(app: Flask) -> None:
    from lms.accounts.services import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue")
    login_manager.login_message_category = "info"
    # "basic", not "strong": phones switch between Wi-Fi and mobile data during an exam.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    messages.install(app, babel)  # times in every message read as Changzhi time
    limiter.init_app(app)

    @app.before_request
    def _enforce_session_limits() -> Any:
        if not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        seen = session.get("seen", now)
        started = session.get("login_at", now)
        idle_limit = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        if now - seen > idle_limit or now - started > SESSION_MAX_AGE.total_seconds():
            logout_user()
            session.clear()
            flash(_l("Your session has expired. Please sign in again."), "info")
            return redirect(url_for("accounts.login", next=request.full_path))
        if now - seen > 60:
            session["seen"] = now
        if current_user.must_change_password and request.endpoint not in {
            "accounts.change_password",
            "accounts.logout",
            "static",
        }:
            return redirect(url_for("accounts.change_password"))
        return None


def register_blueprints(app: Flask) -> None:
    from lms.accounts.views import bp as accounts_bp
    from lms.api.token_views import bp as api_tokens_bp
    from lms.api.views import bp as api_bp
    from lms.authoring.views import bp as author_bp
    from lms.certification.external_views import bp as external_bp
    from lms.certification.views import bp as certificates_bp
    from lms.core.views import bp as core_bp
    from lms.exams.session_views import bp as exam_sessions_bp
    from lms.exams.take_views import bp as take_bp
    from lms.exams.views import bp as exams_bp
    from lms.grading.views import bp as skills_bp
    from lms.jobs.views import bp as jobs_bp
    from lms.learning.media_views import bp as media_bp
    from lms.learning.study_views import bp as learn_bp
    from lms.learning.views import bp as training_bp
    from lms.org.views import bp as org_bp
    from lms.reports.views import bp as reports_bp

    blueprints = (
        core_bp,
        accounts_bp,
        org_bp,
        training_bp,
        learn_bp,
        media_bp,
        exams_bp,
        exam_sessions_bp,
        take_bp,
        skills_bp,
        certificates_bp,
        jobs_bp,
        reports_bp,
        external_bp,
        api_bp,
        api_tokens_bp,
        author_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # "/" keeps its endpoint name (accounts.home); the page shows every feature's work.
    from lms.reports import home_views

    home_views.register(app)


def _format_date(value: date | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if style == "iso":
        return value.isoformat()
    return format_date(value, style)


def format_points(value: float | None) -> str:
    """Marks as people write them: 82, 82.5; a dash when there is none yet."""
    return "—" if value is None else f"{float(value):g}"


def page_url(number: int) -> str:
    """The current page's URL with another page number, keeping the other query arguments."""
    args: dict[str, Any] = {**request.args.to_dict(), **(request.view_args or {}), "page": number}
    return url_for(request.endpoint or "accounts.home", **args)


def question_type_label(key: str) -> str:
    from lms.exams import question_types

    kind = question_types.REGISTRY.get(key)
    return str(kind.label) if kind else key


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["audit_label"] = action_label
    app.jinja_env.globals["question_type_label"] = question_type_label
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["datetime"] = format_local
    app.jinja_env.filters["mask_mobile"] = mask_mobile
    app.jinja_env.filters["level_label"] = level_name  # the pages: in the reader's language
    app.jinja_env.filters["points"] = format_points
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def _inject() -> dict[str, Any]:
        role = current_user.role if current_user.is_authenticated else None
        sections = navigation.sections_for(role) if role else []
        nav = [(link.endpoint, link.label) for _group, links in sections for link in links]
        locale = str(get_locale() or "zh_CN")
        return {
            "nav_items": nav,
            "nav_sections": sections,
            "nav_current": navigation.current_section(sections) if sections else None,
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "languages": SUPPORTED_LANGUAGES,
        }


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries (also the autosave path, which bypasses Flask)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # OWASP's advice: turn the legacy XSS auditor off; the CSP is what protects.
        ("X-XSS-Protection", "0"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)"),
    ]
    if app.config["ENV_NAME"] == "production":
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def register_security_headers(app: Flask) -> None:
    every_response = security_headers(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        for name, value in every_response:
            headers.setdefault(name, value)
        # Lesson media set their own: private (no shared cache) but kept by the browser, as the
        # bytes behind an address never change (lms/learning/media_views.py).
        if current_user.is_authenticated and request.endpoint not in ("static", "media.file"):
            # Pages of signed-in users carry personal data: keep them out of shared caches.
            headers["Cache-Control"] = "no-store"
        return response
