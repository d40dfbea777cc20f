"""external certificates, api tokens and data revisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:34:04.355876+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_revisions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_revisions'))
    )
    op.execute("INSERT INTO data_revisions (name, revision) VALUES ('rates', 0)")
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_api_tokens_expires_after_creation')),
    sa.CheckConstraint('revoked_at IS NULL OR revoked_at >= created_at', name=op.f('ck_api_tokens_revoked_after')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_api_tokens_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('external_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('baoyushi', 'baoyuyuan', 'yuyingyuan', 'other', name='external_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issuer', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('scan_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('scan_type', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'rejected', name='external_status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(revoked_at IS NULL) OR status = 'confirmed'", name=op.f('ck_external_certificates_revoke_confirmed')),
    sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name=op.f('ck_external_certificates_decided_unless_pending')),
    sa.CheckConstraint('expires_on IS NULL OR expires_on > issued_on', name=op.f('ck_external_certificates_expires_after_issue')),
    sa.CheckConstraint('level IS NULL OR level BETWEEN 1 AND 5', name=op.f('ck_external_certificates_level_range')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_external_certificates_decided_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_external_certificates_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_external_certificates_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_certificates')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_external_certificates_kind_number'))
    )
    with op.batch_alter_table('external_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_certificates_staff_id'), ['staff_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('external_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_certificates_staff_id'))

    op.drop_table('external_certificates')
    op.drop_table('api_tokens')
    op.drop_table('data_revisions')
