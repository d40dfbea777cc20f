"""The roles of the system and their labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.core.labels import LabelledEnum, labels


class Role(LabelledEnum):
    TRAINEE = "trainee"
    EXAMINER = "examiner"
    INSTITUTION_MANAGER = "institution_manager"
    DISTRICT_ADMIN = "district_admin"
    CITY_ADMIN = "city_admin"
    #: A member of the city's expert team (市级保育专家指导团队): edits and reviews course
    #: content in the browser; sees no people, results or certificates.
    COURSE_EXPERT = "course_expert"

    __labels__ = labels(
        {
            TRAINEE: _l("Trainee"),
            EXAMINER: _l("Examiner"),
            INSTITUTION_MANAGER: _l("Institution manager"),
            DISTRICT_ADMIN: _l("District administrator"),
            CITY_ADMIN: _l("City administrator"),
            COURSE_EXPERT: _l("Course expert"),
        }
    )


#: Roles that administer organisations and people, widest first.
ADMIN_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.INSTITUTION_MANAGER)

#: Roles that edit, review and publish course content in the browser (lms.authoring).
AUTHOR_ROLES = (Role.COURSE_EXPERT, Role.CITY_ADMIN)
