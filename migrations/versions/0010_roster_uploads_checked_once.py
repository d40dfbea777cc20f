"""roster uploads are checked once: checked rows kept, the file not

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 21:55:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Uploads waiting for confirmation were kept as files; they are now kept as checked rows,
    # so the ones still waiting are discarded (their uploader uploads the file again).
    op.execute("UPDATE roster_uploads SET status = 'discarded' WHERE status = 'pending'")
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_column('content_encrypted')
        batch_op.add_column(sa.Column('file_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('row_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('error_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('errors', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('counts', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_roster_uploads_job_id_jobs'), 'jobs', ['job_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_roster_uploads_counts_not_negative'), 'row_count >= 0 AND error_count >= 0')
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        for column in ('file_error', 'row_count', 'error_count', 'errors', 'counts'):
            batch_op.alter_column(column, server_default=None)
    op.create_table('roster_upload_rows',
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('changed', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('gender', sa.Enum('M', 'F', name='gender', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('id_number_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.Enum('caregiver', 'lead', 'other', name='post', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('in_post_from', sa.Date(), nullable=False),
    sa.Column('in_post_to', sa.Date(), nullable=True),
    sa.CheckConstraint("action IN ('new', 'update', 'unchanged')", name=op.f('ck_roster_upload_rows_action_known')),
    sa.CheckConstraint('in_post_to IS NULL OR in_post_to >= in_post_from', name=op.f('ck_roster_upload_rows_post_dates_ordered')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_roster_upload_rows_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['roster_uploads.id'], name=op.f('fk_roster_upload_rows_upload_id_roster_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('upload_id', 'row', name=op.f('pk_roster_upload_rows'))
    )


def downgrade() -> None:
    op.drop_table('roster_upload_rows')
    op.execute("UPDATE roster_uploads SET status = 'discarded' WHERE status = 'pending'")
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_roster_uploads_counts_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_roster_uploads_job_id_jobs'), type_='foreignkey')
        batch_op.drop_column('job_id')
        batch_op.drop_column('counts')
        batch_op.drop_column('errors')
        batch_op.drop_column('error_count')
        batch_op.drop_column('row_count')
        batch_op.drop_column('file_error')
        batch_op.add_column(sa.Column('content_encrypted', sa.LargeBinary(), nullable=True))
