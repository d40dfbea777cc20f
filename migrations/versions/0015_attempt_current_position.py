"""exam attempts remember the question the candidate stands on

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 01:00:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty for attempts already under way: their paper opens at the first question, as before.
    with op.batch_alter_table('exam_attempts') as batch:
        batch.add_column(sa.Column('current_position', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exam_attempts') as batch:
        batch.drop_column('current_position')
