"""question media bytes in the media store (lms/core/storage.py), as lesson media: a question
media row holds what the file is (sha256 = the store's key, type, size); its blob stays only
for rows imported before, read when the store has no such file

The bytes of existing rows are not moved here: where they go (a folder, or an S3 bucket) is the
application's configuration, which a migration does not have. They keep being served from the
row.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 02:45:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('question_media') as batch:
        batch.alter_column('data', existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # A row whose bytes are only in the store cannot go back to a required blob.
    stored = op.get_bind().scalar(sa.text("SELECT count(*) FROM question_media WHERE data IS NULL"))
    if stored:
        raise RuntimeError(f"{stored} question media files live only in the media store")
    with op.batch_alter_table('question_media') as batch:
        batch.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
