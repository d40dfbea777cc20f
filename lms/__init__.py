"""保育师 training and certification system."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.config import PROJECT_ROOT, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → errors → CLI."""
    settings = load_config(config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=settings["INSTANCE_PATH"],
    )
    app.config.update(settings)
    if hops := app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    from lms import web
    from lms.core.crypto import FieldCipher
    from lms.core.errors import register_error_handlers
    from lms.db import db
    from lms.registries import register_all

    register_all()
    db.init_app(app)
    app.extensions["lms_cipher"] = FieldCipher(app.config["DATA_KEY"])
    app.extensions["lms_settings"] = settings  # for job worker processes to build the same app
    web.init_extensions(app)
    from lms.core.params import RecordIdConverter, refuse_nul_characters

    app.url_map.converters["int"] = RecordIdConverter  # ids past the database's integers: 404
    app.before_request(refuse_nul_characters)
    from lms.core.uploads import LimitedRequest

    app.request_class = LimitedRequest  # per-endpoint upload limits (UPLOAD_LIMITS)
    web.register_blueprints(app)
    register_error_handlers(app)
    web.register_template_helpers(app)
    web.register_security_headers(app)
    from lms.exams.autosave import AutosavePath

    app.wsgi_app = AutosavePath(app, app.wsgi_app)  # type: ignore[method-assign]

    from lms.cli import register_commands

    register_commands(app)
    return app
