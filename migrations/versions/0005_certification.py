"""Certificates, their serial counters and holder photos.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:05:38.256451+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_serials',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_serial BETWEEN 0 AND 999999', name=op.f('ck_certificate_serials_serial_range')),
    sa.PrimaryKeyConstraint('year', 'level', name=op.f('pk_certificate_serials'))
    )
    op.create_table('holder_photos',
    sa.Column('staff_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('jpeg_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_holder_photos_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_holder_photos'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=22), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('skill_candidate_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('occupation', sa.String(length=30), nullable=False),
    sa.Column('organisation', sa.String(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'revoked', name='certificate_status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.Column('reissue_count', sa.Integer(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name=op.f('ck_certificates_revoked_has_date')),
    sa.CheckConstraint('length(number) = 22', name=op.f('ck_certificates_number_length')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_certificates_level_range')),
    sa.CheckConstraint('reissue_count >= 0', name=op.f('ck_certificates_reissue_count_not_negative')),
    sa.CheckConstraint('serial BETWEEN 1 AND 999999', name=op.f('ck_certificates_serial_range')),
    sa.ForeignKeyConstraint(['skill_candidate_id'], ['skill_candidates.id'], name=op.f('fk_certificates_skill_candidate_id_skill_candidates')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_certificates_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('staff_id', 'level', name=op.f('uq_certificates_staff_id_level')),
    sa.UniqueConstraint('year', 'level', 'serial', name=op.f('uq_certificates_year_level_serial'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_staff_id'), ['staff_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_staff_id'))

    op.drop_table('certificates')
    op.drop_table('holder_photos')
    op.drop_table('certificate_serials')
