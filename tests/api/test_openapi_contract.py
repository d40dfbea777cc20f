"""/api/v1 against its own OpenAPI document, by Schemathesis: generated requests (valid and
invalid parameters, missing and wrong tokens, unsupported methods) with every built-in check of
Schemathesis and none left out. The examples are bounded and derandomised so the run is quick
and repeatable."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, is_check_class, load_all_checks

import lms.api.views  # noqa: F401  (declares the operations)
from lms.api import openapi, services
from lms.core.roles import Role
from tests.certification.factories import make_passed_candidate
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort
from tests.reports.factories import certify

load_all_checks()
#: Every check Schemathesis has (the class-based ones run through its configuration).
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]


@pytest.fixture
def bearer() -> str:
    """A city-wide token over a small world: two districts, staff, a certificate, a cohort,
    published results."""
    home, away = make_district("140403"), make_district("140404")
    near, far = make_institution(home, name="潞州托育点"), make_institution(away, name="上党托育点")
    certify(make_staff(near, name="潞州甲"), date(2026, 1, 10))
    make_staff(far, name="上党乙")
    make_cohort()
    make_passed_candidate()
    secret, _ = services.create_token(make_user(Role.CITY_ADMIN), "市智慧托育平台", None, 30)
    return secret


# The document is built from the same declarations that register the routes; the requests go
# to the test app (each test's transaction) through its WSGI interface.
schema = schemathesis.openapi.from_dict(openapi.document("http://lms.test"))


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_does_what_its_document_says(case, app, bearer):
    # The session's app (known only once fixtures run) also answers the checks' own probes
    # (no token, a wrong token, other methods).
    case.operation.schema.app = app
    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {bearer}"}, checks=ALL_CHECKS
    )


def test_a_wrong_method_is_405_with_allow_on_api_and_pages(client, bearer):
    for response in (
        client.post("/api/v1/rates", headers={"Authorization": f"Bearer {bearer}"}),
        client.delete("/api/v1/certificates/S000014040001265000001"),
        client.put("/login"),
    ):
        assert response.status_code == 405
        assert "GET" in {method.strip() for method in response.headers["Allow"].split(",")}


def test_an_unknown_or_malformed_parameter_is_refused_by_name(client, bearer):
    headers = {"Authorization": f"Bearer {bearer}"}
    for query, name in (
        ("/api/v1/staff?per-page=5", "per-page"),
        ("/api/v1/staff?page=", "page"),
        ("/api/v1/staff?page=%201", "page"),
        ("/api/v1/rates?date=20260101", "date"),
        ("/api/v1/rates?date=1999-12-31", "date"),
        ("/api/v1/results?level=2", "level"),
        ("/api/v1/certificates/S000014040001265000001?holder=张三", "holder"),
    ):
        response = client.get(query, headers=headers)
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "invalid_parameter" and error["message"].startswith(name), query
