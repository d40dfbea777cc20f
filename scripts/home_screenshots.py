"""Screenshots of each demo role's home at 360 and 1280 px into docs/screenshots/.

Run against a seeded demo database (``lms demo seed``):
    LMS_DATABASE_URL=sqlite:///instance/lms.sqlite3 .venv/bin/python scripts/home_screenshots.py
It serves the app with gunicorn on a free port, signs in as each demo account and saves
docs/screenshots/home-<role>-<width>.png.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select

from lms import create_app
from lms.accounts.models import User
from lms.core.roles import Role
from lms.db import db
from lms.demo.seed import DEMO_PASSWORD
from lms.testing.server import GunicornServer

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (360, 1280)


def demo_logins() -> list[tuple[str, str]]:
    """(role, username) of one demo account per role."""
    with create_app().app_context():
        found = []
        for role in Role:
            username = db.session.scalar(
                select(User.username)
                .where(User.role == role, User.is_active.is_(True))
                .order_by(User.id)
                .limit(1)
            )
            if username:
                found.append((role.value, username))
        return found


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    logins = demo_logins()
    env = dict(os.environ)
    with GunicornServer(env=env) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for role, username in logins:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
                # A loaded machine can answer 503 (the database busy): never keep an error page.
                for _attempt in range(6):
                    response = page.goto(f"{server.base}/")
                    if response is not None and response.status == 200 and "/login" in page.url:
                        page.fill("input[name=username]", username)
                        page.fill("input[name=password]", DEMO_PASSWORD)
                        page.click("button[type=submit]")
                    elif response is not None and response.status == 200:
                        break
                    else:
                        time.sleep(3)
                else:
                    raise SystemExit(f"{username}: the home did not answer 200")
                page.screenshot(path=str(OUT / f"home-{role}-{width}.png"), full_page=True)
                page.close()
                print(f"home-{role}-{width}.png", file=sys.stderr)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
