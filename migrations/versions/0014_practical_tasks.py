"""practical tasks: synced from courses/ into the database like questions, with their rubric

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 22:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled by `lms courses sync` (as questions are); until then skill sessions find no tasks.
    op.create_table('practical_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('duration_minutes BETWEEN 1 AND 240', name=op.f('ck_practical_tasks_duration_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practical_tasks')),
    sa.UniqueConstraint('code', name=op.f('uq_practical_tasks_code'))
    )


def downgrade() -> None:
    op.drop_table('practical_tasks')
