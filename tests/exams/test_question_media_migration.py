"""Migration 0024: question media imported before the media store kept their bytes in the
database; the upgrade keeps them there (they are still served from the row), and new rows
may leave the blob empty. Going back refuses while a file lives only in the store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from lms.cli import alembic_config


def test_old_question_media_keep_their_bytes_and_new_rows_need_none(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "0023")
    engine = sa.create_engine(url)
    insert = (
        "INSERT INTO question_media (id, sha256, content_type, size, data, created_at)"
        " VALUES (:id, :sha, 'image/png', 4, :data, '2026-11-01')"
    )
    with engine.begin() as connection:
        connection.execute(sa.text(insert), {"id": 1, "sha": "a" * 64, "data": b"\x89PNG"})
    command.upgrade(config, "0024")
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT data FROM question_media")).scalar() == (
            b"\x89PNG"
        )
        connection.execute(sa.text(insert), {"id": 2, "sha": "b" * 64, "data": None})
    with pytest.raises(RuntimeError, match="1 question media files live only in the media"):
        command.downgrade(config, "0023")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM question_media WHERE id = 2"))
    command.downgrade(config, "0023")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM question_media")).scalar() == 1
    engine.dispose()
