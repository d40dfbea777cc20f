"""The ``training`` blueprint, shared by lms.learning.views and lms.learning.class_views, and
the cohort look-ups both use. lms.learning.views imports class_views, so web.py's one import of
it registers every route."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from lms.core.access import get_visible, visible_or_404
from lms.core.roles import Role
from lms.learning import services
from lms.learning.models import Cohort

bp = Blueprint("training", __name__, url_prefix="/training")
ORG_ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
TRAINERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.EXAMINER)


def visible_cohort(cohort_id: int) -> Cohort:
    return get_visible(
        Cohort, cohort_id, lambda cohort: services.can_see_cohort(current_user.scope, cohort)
    )


def managed_cohort(cohort_id: int) -> Cohort:
    return visible_or_404(
        visible_cohort(cohort_id),
        lambda cohort: services.can_manage_cohort(current_user.scope, cohort),
    )
