"""question versions: papers keep the version they drew; questions know their author

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 21:45:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=False),
    sa.Column('stem', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('answer_key', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_question_versions_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id_number'))
    )
    op.create_index(op.f('ix_question_versions_question_id'), 'question_versions', ['question_id'], unique=False)
    # Every existing question's text becomes its version 1 (author unknown).
    op.execute(
        "INSERT INTO question_versions (question_id, number, type, level, work_area, difficulty,"
        " stem, options, answer_key, explanation, created_by_id, created_at)"
        " SELECT id, 1, type, level, work_area, difficulty, stem, options, answer_key,"
        " explanation, NULL, created_at FROM questions"
    )
    # Not in batch mode: on SQLite that would rebuild questions, which paper_items refer to
    # (dropping the old table breaks their references); SQLite adds the column with its
    # REFERENCES clause in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE questions ADD COLUMN created_by_id INTEGER'
            ' CONSTRAINT fk_questions_created_by_id_users REFERENCES users (id)'
        )
    else:
        op.add_column('questions', sa.Column('created_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_questions_created_by_id_users'), 'questions', 'users', ['created_by_id'], ['id'])

    with op.batch_alter_table('paper_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
    # Papers already drawn drew version 1: the only one there was.
    op.execute(
        "UPDATE paper_items SET version_id = (SELECT v.id FROM question_versions v"
        " WHERE v.question_id = paper_items.question_id AND v.number = 1)"
    )
    with op.batch_alter_table('paper_items', schema=None) as batch_op:
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_paper_items_version_id'), ['version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_paper_items_version_id_question_versions'), 'question_versions', ['version_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('paper_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paper_items_version_id_question_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_paper_items_version_id'))
        batch_op.drop_column('version_id')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':  # SQLite: the rebuild drops it with the column
            batch_op.drop_constraint(batch_op.f('fk_questions_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('created_by_id')

    op.drop_index(op.f('ix_question_versions_question_id'), table_name='question_versions')
    op.drop_table('question_versions')
