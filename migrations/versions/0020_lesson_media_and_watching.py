"""lesson media (pictures, videos, captions, posters, renditions in the media store), each
lesson's video, and the parts of it each trainee played

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 02:00:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('alt', sa.Text(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('bitrate', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('variant', sa.String(length=12), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('image', 'video', 'captions', 'poster', 'rendition')", name=op.f('ck_media_files_known_kind')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_media_files_size_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_media_files_created_by_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['media_files.id'], name=op.f('fk_media_files_parent_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_files')),
    sa.UniqueConstraint('parent_id', 'variant', name=op.f('uq_media_files_parent_id_variant')),
    sa.UniqueConstraint('sha256', name=op.f('uq_media_files_sha256'))
    )
    op.create_index(op.f('ix_media_files_parent_id'), 'media_files', ['parent_id'], unique=False)
    op.create_table('lesson_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_media_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_lesson_media_media_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_media')),
    sa.UniqueConstraint('lesson_id', 'media_id', name=op.f('uq_lesson_media_lesson_id_media_id'))
    )
    op.create_index(op.f('ix_lesson_media_media_id'), 'lesson_media', ['media_id'], unique=False)
    with op.batch_alter_table('lessons') as batch:
        batch.add_column(sa.Column('video', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('lesson_progress') as batch:
        batch.add_column(sa.Column('video_intervals', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('video_seconds', sa.Float(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('video_position', sa.Float(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('lesson_progress') as batch:
        batch.drop_column('video_position')
        batch.drop_column('video_seconds')
        batch.drop_column('video_intervals')
    with op.batch_alter_table('lessons') as batch:
        batch.drop_column('video')
    op.drop_index(op.f('ix_lesson_media_media_id'), table_name='lesson_media')
    op.drop_table('lesson_media')
    op.drop_index(op.f('ix_media_files_parent_id'), table_name='media_files')
    op.drop_table('media_files')
