"""certificate reissued_at: the day of the latest replacement, on the certificate itself

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 02:00:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reissued_at", sa.DateTime(), nullable=True))
    # Certificates reissued before: the moment of their latest reissue in the audit log, or,
    # should the log lack it, their last change (a reissue is their last possible change).
    op.execute(
        """
        UPDATE certificates SET reissued_at = COALESCE(
            (SELECT MAX(audit_events.at) FROM audit_events
             WHERE audit_events.action = 'certificate.reissued'
               AND audit_events.target_type = 'certificates'
               AND audit_events.target_id = certificates.id),
            certificates.updated_at)
        WHERE reissue_count > 0
        """
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_reissued_at"), ["reissued_at"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_certificates_reissued_has_date"),
            "(reissue_count = 0) = (reissued_at IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_certificates_reissued_has_date"), type_="check")
        batch_op.drop_index(batch_op.f("ix_certificates_reissued_at"))
        batch_op.drop_column("reissued_at")
