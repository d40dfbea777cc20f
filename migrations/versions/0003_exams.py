"""Theory exams: question bank, blueprints, sessions with rooms and invigilators, candidates,
attempts with drawn papers and saved responses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:20:28.941530+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blueprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('pass_score', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
    sa.Column('multiple_choice_rule', sa.Enum('all_or_nothing', 'half_for_subset', 'proportional', name='multiple_choice_rule', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_blueprints_duration_positive')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_blueprints_level_digit')),
    sa.CheckConstraint('pass_score > 0 AND pass_score <= 100', name=op.f('ck_blueprints_pass_score_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprints')),
    sa.UniqueConstraint('key', name=op.f('uq_blueprints_key'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=False),
    sa.Column('stem', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('answer_key', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_questions_level_digit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('key', name=op.f('uq_questions_key'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_pool', ['level', 'type', 'work_area', 'difficulty'], unique=False)

    op.create_table('blueprint_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_type', sa.String(length=20), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=True),
    sa.Column('difficulty', sa.String(length=10), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
    sa.CheckConstraint('count > 0', name=op.f('ck_blueprint_cells_count_positive')),
    sa.CheckConstraint('points > 0', name=op.f('ck_blueprint_cells_points_positive')),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprints.id'], name=op.f('fk_blueprint_cells_blueprint_id_blueprints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint_cells'))
    )
    op.create_table('exam_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', 'results_published', name='exam_session_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('results_published_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'results_published') = (results_published_at IS NOT NULL)", name=op.f('ck_exam_sessions_results_have_time')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_exam_sessions_window_ordered')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_exam_sessions_duration_positive')),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprints.id'], name=op.f('fk_exam_sessions_blueprint_id_blueprints')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exam_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_exam_sessions_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_sessions'))
    )
    op.create_table('exam_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_exam_rooms_capacity_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_exam_rooms_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_rooms')),
    sa.UniqueConstraint('session_id', 'name', name=op.f('uq_exam_rooms_session_id_name'))
    )
    op.create_table('exam_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('seat', sa.Integer(), nullable=True),
    sa.Column('admission_number', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['exam_rooms.id'], name=op.f('fk_exam_candidates_room_id_exam_rooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_exam_candidates_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_exam_candidates_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_candidates')),
    sa.UniqueConstraint('admission_number', name=op.f('uq_exam_candidates_admission_number')),
    sa.UniqueConstraint('session_id', 'staff_id', name=op.f('uq_exam_candidates_session_id_staff_id'))
    )
    with op.batch_alter_table('exam_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_candidates_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_candidates_staff_id'), ['staff_id'], unique=False)

    op.create_table('invigilations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['exam_rooms.id'], name=op.f('fk_invigilations_room_id_exam_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invigilations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invigilations')),
    sa.UniqueConstraint('room_id', 'user_id', name=op.f('uq_invigilations_room_id_user_id'))
    )
    op.create_table('exam_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('auto_submitted', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'submitted', name='attempt_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name=op.f('ck_exam_attempts_submitted_has_time')),
    sa.CheckConstraint('deadline_at > started_at', name=op.f('ck_exam_attempts_deadline_after_start')),
    sa.ForeignKeyConstraint(['candidate_id'], ['exam_candidates.id'], name=op.f('fk_exam_attempts_candidate_id_exam_candidates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempts')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_exam_attempts_candidate_id'))
    )
    op.create_table('exam_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=True),
    sa.Column('marker_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempts.id'], name=op.f('fk_exam_responses_attempt_id_exam_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_exam_responses_marked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_responses')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_exam_responses_attempt_id_position'))
    )
    op.create_table('paper_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.Column('points', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempts.id'], name=op.f('fk_paper_items_attempt_id_exam_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_paper_items_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_items')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_paper_items_attempt_id_position')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_paper_items_attempt_id_question_id'))
    )
    with op.batch_alter_table('paper_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_items_question_id'), ['question_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('paper_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_items_question_id'))

    op.drop_table('paper_items')
    op.drop_table('exam_responses')
    op.drop_table('exam_attempts')
    op.drop_table('invigilations')
    with op.batch_alter_table('exam_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_candidates_staff_id'))
        batch_op.drop_index(batch_op.f('ix_exam_candidates_session_id'))

    op.drop_table('exam_candidates')
    op.drop_table('exam_rooms')
    op.drop_table('exam_sessions')
    op.drop_table('blueprint_cells')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_pool')

    op.drop_table('questions')
    op.drop_table('blueprints')
