"""the seconds of each lesson's video already credited to the trainee (watch-time credit
owed across reports is kept, not lost to whole seconds or request timing)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 02:05:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lesson_progress') as batch:
        batch.add_column(sa.Column('video_credited', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('lesson_progress') as batch:
        batch.drop_column('video_credited')
