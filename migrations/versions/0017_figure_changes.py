"""figure changes: the log of which institutions each revision of the rates' data changed

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 01:30:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty at first: a process holding counts older than the log counts everything once.
    op.create_table(
        "figure_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=12), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(what = 'institution') = (institution_id IS NOT NULL)",
            name=op.f("ck_figure_changes_institution_named"),
        ),
        sa.CheckConstraint(
            "what IN ('institution', 'places', 'all')", name=op.f("ck_figure_changes_what_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_changes")),
    )
    op.create_index('ix_figure_changes_revision', 'figure_changes', ['revision'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_figure_changes_revision', table_name='figure_changes')
    op.drop_table('figure_changes')
