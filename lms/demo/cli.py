"""``lms demo``: the demo world."""

from __future__ import annotations

import unicodedata

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from lms.db import db, transaction
from lms.demo.exams import completed_level5
from lms.demo.journeys import seed_journeys
from lms.demo.results import seed_results
from lms.demo.seed import DEMO_PASSWORD, DemoOptions, demo_accounts, seed_demo
from lms.org.models import District


@click.group("demo", help="Demo data modelled on the city.")
def demo_group() -> None:
    pass


@demo_group.command("seed", help="Create the demo world (idempotent) and print the demo sign-ins.")
@click.option(
    "--trainees",
    default=DemoOptions.trainees,
    show_default=True,
    help="In-post caregivers to create across all institutions.",
)
@click.option("--institutions", default=DemoOptions.institutions, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@click.option(
    "--with-results",
    is_flag=True,
    help="Also finish and publish the demo's theory and skill results (passed candidates "
    "ready to certify).",
)
@with_appcontext
def seed(trainees: int, institutions: int, if_empty: bool, with_results: bool) -> None:
    if if_empty and db.session.scalar(select(func.count()).select_from(District)):
        click.echo("The database already has data; demo seeding skipped.")
    else:
        options = DemoOptions(trainees=trainees, institutions=institutions)
        with transaction():
            seed_demo(options)
        if with_results:
            with transaction():
                passed = seed_results(options.seed)
                journeys = seed_journeys(options.seed, DEMO_PASSWORD)
            if journeys.already:
                click.echo("The demo's results were published before; nothing added.")
            else:
                click.echo(
                    f"Published demo results: {passed} candidates passed level 5; "
                    f"{journeys.certified} certified, {journeys.waiting} waiting for a "
                    f"certificate, {journeys.retakes} entered for a theory retake, "
                    f"{journeys.to_close} sat an exam that can be closed, "
                    f"{journeys.sheets} skill sheets to mark."
                )
            if journeys.missing:
                click.echo(
                    "This demo is too small for: " + ", ".join(journeys.missing) + " "
                    f"({completed_count()} caregivers finished the level-5 course; "
                    "a larger --trainees gives every journey)."
                )
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for account in demo_accounts():
        click.echo(
            f"  {pad(account.role.label, 14)} {pad(account.username, 14)} {account.description}"
        )


def completed_count() -> int:
    return db.session.scalar(select(func.count()).select_from(completed_level5().subquery())) or 0


def pad(text: str, width: int) -> str:
    """Left-align for terminals, counting Chinese characters as two columns."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)
