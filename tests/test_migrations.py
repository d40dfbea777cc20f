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


def test_upgrading_sqlite_keeps_rows_that_reference_a_rebuilt_table(tmp_path):
    """SQLite alters a table by rebuilding it: dropping the old copy with foreign keys on
    deleted, by cascade, every row pointing at it (0013 rebuilt certificates, and their stored
    PDFs went). Migrations run with foreign keys off and check them at the end instead."""
    import sqlalchemy as sa
    from alembic import command

    from lms.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "0012")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO certificates (id, number, staff_id, skill_candidate_id, level,"
                " year, serial, holder_name, id_number_masked, occupation, organisation,"
                " issued_on, status, revoke_reason, reissue_count, created_at, updated_at)"
                " VALUES (1, 'S000014040001255000001', 1, 1, 5, 2025, 1, '张三',"
                " '140402********1234', '保育师', '认定站', '2025-01-10', 'valid', '', 0,"
                " '2025-01-10 02:00:00', '2025-01-10 02:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO certificate_files (certificate_id, reissue_count, sha256, size,"
                " pdf_encrypted, created_at) VALUES (1, 0, 'ab', 1, x'00', '2025-01-10')"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        files = connection.execute(sa.text("SELECT count(*) FROM certificate_files")).scalar()
        subject = connection.execute(sa.text("SELECT subject_id FROM certificates")).scalar()
    engine.dispose()
    assert files == 1
    assert subject  # the rebuilt table got its new column filled
