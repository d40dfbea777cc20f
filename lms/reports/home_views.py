"""The home page: each role's work waiting now (lms/reports/home.py).

It lives with the dashboards, above every feature it counts from, but keeps the endpoint name
``accounts.home`` that sign-in, redirects and templates have always used for "/".
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_login import current_user, login_required

from lms.reports import home as homes


@login_required
def home() -> Any:
    return render_template("home/index.html", home=homes.for_user(current_user))


def register(app: Flask) -> None:
    app.add_url_rule("/", endpoint="accounts.home", view_func=home)
