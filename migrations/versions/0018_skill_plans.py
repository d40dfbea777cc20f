"""skill plans: per level, the work areas' weights in a candidate's tasks and the tasks of the
candidate's own level (courses/blueprints.yaml, loaded by lms courses sync)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 01:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled by `lms courses sync`; until then a skill session of the level cannot be created.
    op.create_table('skill_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('own_level', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_skill_plans_level_digit')),
    sa.CheckConstraint('own_level >= 0', name=op.f('ck_skill_plans_own_level_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_plans')),
    sa.UniqueConstraint('level', name=op.f('uq_skill_plans_level'))
    )


def downgrade() -> None:
    op.drop_table('skill_plans')
