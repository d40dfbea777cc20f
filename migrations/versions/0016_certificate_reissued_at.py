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
    # Nothing here may rebuild the certificates table on SQLite (batch "move and copy"): its
    # DROP, with foreign keys on, would delete every stored PDF (certificate_files cascades).
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
    op.create_index("ix_certificates_reissued_at", "certificates", ["reissued_at"], unique=False)
    if op.get_bind().dialect.name != "sqlite":  # SQLite adds a CHECK only by rebuilding
        op.create_check_constraint(
            "ck_certificates_reissued_has_date",
            "certificates",
            "(reissue_count = 0) = (reissued_at IS NULL)",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_certificates_reissued_has_date", "certificates", type_="check")
    op.drop_index("ix_certificates_reissued_at", table_name="certificates")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("reissued_at")
