"""The five roles of the system and their labels."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    TRAINEE = "trainee"
    EXAMINER = "examiner"
    INSTITUTION_MANAGER = "institution_manager"
    DISTRICT_ADMIN = "district_admin"
    CITY_ADMIN = "city_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.EXAMINER: _l("Examiner"),
    Role.INSTITUTION_MANAGER: _l("Institution manager"),
    Role.DISTRICT_ADMIN: _l("District administrator"),
    Role.CITY_ADMIN: _l("City administrator"),
}

#: Roles that administer organisations and people, widest first.
ADMIN_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.INSTITUTION_MANAGER)
