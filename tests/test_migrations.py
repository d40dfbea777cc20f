"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.db import db
from lms.models import metadata


def test_migrated_schema_matches_the_models(app):
    # The test's own connection: a second one would wait for its write lock on SQLite.
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, metadata)
    assert differences == []
