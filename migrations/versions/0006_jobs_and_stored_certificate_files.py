"""jobs and stored certificate files

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:32:50.033278+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'finished', 'failed', name='job_status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('active', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('resumed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(active IS NULL) = (status IN ('finished', 'failed'))", name=op.f('ck_jobs_active_while_open')),
    sa.CheckConstraint('active IS NULL OR active = 1', name=op.f('ck_jobs_active_true_or_null')),
    sa.CheckConstraint('done >= 0 AND total >= 0', name=op.f('ck_jobs_counts_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jobs_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('kind', 'active', name=op.f('uq_jobs_kind_active'))
    )
    op.create_table('certificate_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reissue_count', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pdf_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_files_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_certificate_files_sha256'))
    )
    with op.batch_alter_table('certificate_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_files_certificate_id'), ['certificate_id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_certificates_expires_after_issue'),
            'expires_on IS NULL OR expires_on > issued_on',
        )



def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_certificates_expires_after_issue'), type_='check')
        batch_op.drop_column('expires_on')

    with op.batch_alter_table('certificate_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_files_certificate_id'))

    op.drop_table('certificate_files')
    op.drop_table('jobs')
