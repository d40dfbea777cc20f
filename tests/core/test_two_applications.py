"""One process may hold several applications (a tool, a benchmark's throw-away app, the test
harness's own): each keeps its own database."""

from __future__ import annotations

import threading

from lms import create_app
from lms.db import db
from tests import conftest as harness


def test_an_application_made_later_does_not_take_the_first_ones_database(app, tmp_path):
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    other = create_app(harness.test_config(other_url, str(tmp_path / "instance")))

    assert db.engine is app.extensions["lms_engine"]
    with other.app_context():
        assert db.engine is other.extensions["lms_engine"]
        assert db.engine.url.render_as_string() == other_url
        session = db.session.session_factory.class_()
        assert session.get_bind() is other.extensions["lms_engine"]
        session.close()
    # Outside the other one's context, a session without a bind of its own finds ours.
    session = db.session.session_factory.class_()
    assert session.get_bind() is app.extensions["lms_engine"]
    session.close()

    # Outside any application context (the autosave path answers before Flask): the engine
    # named for the block, else the application made last.
    seen = {}

    def outside_any_context() -> None:
        seen["without"] = db.engine
        with db.engine_of(app):
            seen["within"] = db.engine
            seen["session"] = db.session.session_factory.class_().get_bind()

    thread = threading.Thread(target=outside_any_context)
    thread.start()
    thread.join()
    assert seen["within"] is app.extensions["lms_engine"]
    assert seen["session"] is app.extensions["lms_engine"]
    assert seen["without"] is other.extensions["lms_engine"]
