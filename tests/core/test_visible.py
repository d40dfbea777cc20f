"""``visible_or_404``/``get_visible``: the one check of an object looked up by id."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from lms.core.access import Scope, get_visible, visible_or_404
from lms.core.roles import Role
from lms.org.models import Staff
from tests.factories import make_district, make_institution, make_staff


def test_an_object_out_of_scope_is_as_missing_as_one_that_does_not_exist(app):
    home, away = make_district("140403"), make_district("140404")
    ours, theirs = make_staff(make_institution(home)), make_staff(make_institution(away))
    scope = Scope(Role.DISTRICT_ADMIN, district_id=home.id)
    assert get_visible(Staff, ours.id, scope.allows_staff) is ours
    for ident in (theirs.id, theirs.id + 1000):
        with pytest.raises(NotFound):
            get_visible(Staff, ident, scope.allows_staff)
    assert visible_or_404(ours) is ours
    with pytest.raises(NotFound):
        visible_or_404(None)


def test_allows_staff_and_allows_district_agree_with_allows_institution(app):
    home, away = make_district("140403"), make_district("140404")
    place = make_institution(home)
    person = make_staff(place)
    for scope in (
        Scope(Role.CITY_ADMIN),
        Scope(Role.DISTRICT_ADMIN, district_id=home.id),
        Scope(Role.DISTRICT_ADMIN, district_id=away.id),
        Scope(Role.INSTITUTION_MANAGER, district_id=home.id, institution_id=place.id),
        Scope(Role.INSTITUTION_MANAGER, district_id=home.id, institution_id=place.id + 1),
        Scope(Role.TRAINEE, staff_id=person.id),
    ):
        assert scope.allows_staff(person) == scope.allows_institution(place.id, home.id)
