"""``lms users``: account administration from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import or_, select

from lms.accounts import services
from lms.core.cli import CommandError
from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db, transaction
from lms.org.models import District, Institution, Staff
from lms.org.services import id_number_hash


@click.group("users", help="User accounts.")
def users_group() -> None:
    pass


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_group.command(
    "create", help="Create an account; the password is read from the prompt or stdin."
)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--username", required=True)
@click.option("--name", "display_name", help="Name shown in the interface (default: username).")
@click.option("--district", help="District code or name (district administrators).")
@click.option("--institution", help="Registered institution name (institution managers).")
@click.option("--staff-id-number", help="ID number of the staff record (trainees).")
@with_appcontext
def create_user(
    role: str,
    username: str,
    display_name: str | None,
    district: str | None,
    institution: str | None,
    staff_id_number: str | None,
) -> None:
    password = _read_password()
    district_row = institution_row = staff_row = None
    if district:
        district_row = db.session.scalar(
            select(District).where(or_(District.code == district, District.name == district))
        )
        if district_row is None:
            raise CommandError(_("No district %(district)s", district=district))
    if institution:
        institution_row = db.session.scalar(
            select(Institution).where(Institution.name == institution)
        )
        if institution_row is None:
            raise CommandError(_("No institution named %(name)s", name=institution))
    if staff_id_number:
        staff_row = db.session.scalar(
            select(Staff).where(Staff.id_number_hash == id_number_hash(staff_id_number))
        )
        if staff_row is None:
            raise CommandError(_("No staff record with that ID number"))
    try:
        with transaction():
            user = services.create_user(
                username=username,
                password=password,
                role=Role(role),
                display_name=display_name or (staff_row.name if staff_row else username),
                district=district_row,
                institution=institution_row,
                staff=staff_row,
                chosen_by_user=True,
            )
    except DomainError as error:
        raise CommandError(error.message) from None
    click.echo(f"created {user.role.value} account {user.username}")
