from datetime import timedelta

from lms.core import audit
from lms.core.roles import Role
from lms.db import db, utcnow
from tests.factories import make_user


def test_city_admin_filters_the_audit_log(client):
    admin = make_user(Role.CITY_ADMIN, username="chief")
    audit.record("login.failed", actor=admin, reason="x")
    old = audit.record("staff.id_number_viewed", actor=admin, reason="核对")
    old.at = utcnow() - timedelta(days=40)
    db.session.flush()
    client.login_as(admin)
    page = rows(client.get("/audit", query_string={"action": "login."}))
    assert "login.failed" in page and "staff.id_number_viewed" not in page
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    page = rows(client.get("/audit", query_string={"since": since}))
    assert "staff.id_number_viewed" not in page and "login.failed" in page
    page = rows(client.get("/audit", query_string={"actor": "chief"}))
    assert "staff.id_number_viewed" in page


def rows(response):
    """The log's rows (the event filter above them lists every action)."""
    page = response.get_data(as_text=True)
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.dialect_name != "sqlite":
        return
    connection = db.session.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
