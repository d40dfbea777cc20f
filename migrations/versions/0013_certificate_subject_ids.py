"""certificates identify their holder in Open Badges credentials by a random subject id

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 22:45:00.000000+00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.String(length=36), nullable=True))
    # Each existing certificate gets its own random id (credentials issued before this carried
    # a hash of the ID number instead; they are re-issued on the next download).
    connection = op.get_bind()
    certificates = sa.table(
        'certificates', sa.column('id', sa.Integer), sa.column('subject_id', sa.String)
    )
    for (certificate_id,) in connection.execute(sa.select(certificates.c.id)).all():
        connection.execute(
            certificates.update()
            .where(certificates.c.id == certificate_id)
            .values(subject_id=str(uuid.uuid4()))
        )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('subject_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_subject_id'), ['subject_id'])


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_subject_id'), type_='unique')
        batch_op.drop_column('subject_id')
