"""examiners' declared relations kept by the ID number's keyed hash, not by a staff record

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 22:10:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('id_number_masked', sa.String(length=18), nullable=True))
    op.execute(
        "UPDATE examiner_relations SET "
        "id_number_hash = (SELECT staff.id_number_hash FROM staff "
        "WHERE staff.id = examiner_relations.staff_id), "
        "id_number_masked = (SELECT staff.id_number_masked FROM staff "
        "WHERE staff.id = examiner_relations.staff_id)"
    )
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.alter_column('id_number_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('id_number_masked', existing_type=sa.String(length=18), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_examiner_relations_examiner_id_staff_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_examiner_relations_staff_id_staff'), type_='foreignkey')
        batch_op.drop_column('staff_id')
        batch_op.create_unique_constraint(batch_op.f('uq_examiner_relations_examiner_id_id_number_hash'), ['examiner_id', 'id_number_hash'])


def downgrade() -> None:
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE examiner_relations SET staff_id = (SELECT staff.id FROM staff "
        "WHERE staff.id_number_hash = examiner_relations.id_number_hash)"
    )
    # A declaration that names nobody registered has no staff record to point at.
    op.execute("DELETE FROM examiner_relations WHERE staff_id IS NULL")
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_examiner_relations_examiner_id_id_number_hash'), type_='unique')
        batch_op.alter_column('staff_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_examiner_relations_staff_id_staff'), 'staff', ['staff_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_examiner_relations_examiner_id_staff_id'), ['examiner_id', 'staff_id'])
        batch_op.drop_column('id_number_masked')
        batch_op.drop_column('id_number_hash')
