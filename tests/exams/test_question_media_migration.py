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


def test_lms_exams_media_to_store_moves_old_files_into_the_store(app, client):
    import hashlib
    import io
    import os

    from click.testing import CliRunner
    from PIL import Image

    from lms.core.roles import Role
    from lms.core.storage import media_store
    from lms.db import db
    from lms.exams.models import QuestionMedia
    from tests.conftest import zh
    from tests.factories import make_user

    out = io.BytesIO()
    # A picture no other test can have kept: the store's folder outlives each test's rollback.
    Image.new("RGB", (8, 6), tuple(os.urandom(3))).save(out, "PNG")
    picture = out.getvalue()
    digest = hashlib.sha256(picture).hexdigest()
    old = QuestionMedia(sha256=digest, content_type="image/png", size=len(picture), data=picture)
    odd = QuestionMedia(sha256="d" * 64, content_type="image/png", size=3, data=b"abc")
    db.session.add_all([old, odd])
    db.session.flush()
    assert not media_store().exists(digest)

    result = CliRunner().invoke(app.cli, ["exams", "media-to-store"])
    assert result.exit_code == 0, result.output
    message = "%(n)d question media files moved into the media store"
    assert result.output.strip() == zh(message, n=1)
    db.session.refresh(old)
    db.session.refresh(odd)
    assert old.data is None and media_store().read(digest) == picture
    assert odd.data == b"abc"  # bytes that are not what the row says stay where they are
    client.login_as(make_user(Role.EXAMINER))
    served = client.get(f"/exams/media/{old.id}")
    assert served.status_code == 200 and served.data == picture
    again = CliRunner().invoke(app.cli, ["exams", "media-to-store"])
    assert again.exit_code == 0 and again.output.strip() == zh(message, n=0)
