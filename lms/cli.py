"""The ``lms`` command: a Flask CLI group on the application."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.config import PROJECT_ROOT


def alembic_config(url: str | None = None) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or current_app.config["DATABASE_URL"]))
    return config


@click.group("db", help="Database schema migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Migrate to the newest schema (or REVISION).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(), revision)


@db_group.command("downgrade", help="Step the schema back to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


@db_group.command("current", help="Show the schema revision of the database.")
@with_appcontext
def db_current() -> None:
    command.current(alembic_config())


def register_commands(app: Flask) -> None:
    from lms.accounts.cli import users_group
    from lms.certification.cli import certificates_group
    from lms.demo.cli import demo_group
    from lms.learning.cli import courses_group
    from lms.org.cli import roster_group

    for group in (
        db_group,
        demo_group,
        roster_group,
        users_group,
        courses_group,
        certificates_group,
    ):
        app.cli.add_command(group)


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="保育师 training and certification system.",
)


if __name__ == "__main__":
    main()
