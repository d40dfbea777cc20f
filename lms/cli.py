"""The ``lms`` command: a Flask CLI group on the application."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.config import PROJECT_ROOT
from lms.core.cli import CommandError


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


@click.command("backup", help="Write a consistent copy of the whole database to FILE.")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    from lms.core.backup import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise CommandError(error) from None
    click.echo(f"Backup written to {target} ({target.stat().st_size:,} bytes).")


@click.command("restore", help="Replace the whole database by the backup in FILE.")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    from lms.core.backup import BackupError, restore
    from lms.db import db

    if not yes:
        click.confirm(
            "Every current record is replaced by the backup's. Stop the web "
            "processes and workers first. Continue?",
            abort=True,
        )
    if db.engine is not None:
        db.engine.dispose()  # no pooled connection may hold the tables being replaced
    try:
        restore(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        raise CommandError(error) from None
    click.echo(f"Restored from {source}.")


def register_commands(app: Flask) -> None:
    from lms.accounts.cli import users_group
    from lms.certification.cli import certificates_group
    from lms.demo.cli import demo_group
    from lms.exams.cli import exams_group
    from lms.learning.cli import courses_group
    from lms.org.cli import roster_group

    for group in (
        backup_command,
        restore_command,
        db_group,
        demo_group,
        roster_group,
        users_group,
        courses_group,
        exams_group,
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
