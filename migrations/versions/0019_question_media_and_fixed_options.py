"""questions keep fixed option positions and media (QTI import); the media themselves

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 01:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_media_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_media')),
    sa.UniqueConstraint('sha256', name=op.f('uq_question_media_sha256'))
    )
    # Existing questions: no option is fixed and none shows media.
    for table in ('questions', 'question_versions'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('fixed_options', sa.JSON(), nullable=False, server_default='[]'))
            batch.add_column(sa.Column('media', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    for table in ('question_versions', 'questions'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('media')
            batch.drop_column('fixed_options')
    op.drop_table('question_media')
