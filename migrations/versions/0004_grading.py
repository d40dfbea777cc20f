"""Practical skill assessment: sessions, examiner panels, candidates with drawn tasks, marks,
declared relations of examiners.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:55:40.683404+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('examiner_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['examiner_id'], ['users.id'], name=op.f('fk_examiner_relations_examiner_id_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_examiner_relations_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_examiner_relations')),
    sa.UniqueConstraint('examiner_id', 'staff_id', name=op.f('uq_examiner_relations_examiner_id_staff_id'))
    )
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_examiner_relations_examiner_id'), ['examiner_id'], unique=False)

    op.create_table('skill_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('tasks_per_candidate', sa.Integer(), nullable=False),
    sa.Column('combine_rule', sa.String(length=20), nullable=False),
    sa.Column('max_spread', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'results_published', name='skill_session_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_skill_sessions_level_range')),
    sa.CheckConstraint('max_spread >= 0', name=op.f('ck_skill_sessions_max_spread_not_negative')),
    sa.CheckConstraint('slot_minutes > 0', name=op.f('ck_skill_sessions_slot_minutes_positive')),
    sa.CheckConstraint('tasks_per_candidate BETWEEN 4 AND 6', name=op.f('ck_skill_sessions_tasks_per_candidate_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_skill_sessions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_sessions'))
    )
    op.create_table('skill_panels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('chief_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['chief_id'], ['users.id'], name=op.f('fk_skill_panels_chief_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['skill_sessions.id'], name=op.f('fk_skill_panels_session_id_skill_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_panels')),
    sa.UniqueConstraint('session_id', 'name', name=op.f('uq_skill_panels_session_id_name'))
    )
    op.create_table('skill_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('admission_number', sa.String(length=20), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=True),
    sa.Column('slot_at', sa.DateTime(), nullable=True),
    sa.Column('skills_score', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
    sa.Column('skills_passed', sa.Boolean(), nullable=True),
    sa.CheckConstraint('skills_score BETWEEN 0 AND 100', name=op.f('ck_skill_candidates_skills_score_range')),
    sa.ForeignKeyConstraint(['panel_id'], ['skill_panels.id'], name=op.f('fk_skill_candidates_panel_id_skill_panels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['skill_sessions.id'], name=op.f('fk_skill_candidates_session_id_skill_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_skill_candidates_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_candidates')),
    sa.UniqueConstraint('admission_number', name=op.f('uq_skill_candidates_admission_number')),
    sa.UniqueConstraint('session_id', 'staff_id', name=op.f('uq_skill_candidates_session_id_staff_id'))
    )
    with op.batch_alter_table('skill_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_candidates_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_candidates_staff_id'), ['staff_id'], unique=False)

    op.create_table('skill_panel_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['examiner_id'], ['users.id'], name=op.f('fk_skill_panel_members_examiner_id_users')),
    sa.ForeignKeyConstraint(['panel_id'], ['skill_panels.id'], name=op.f('fk_skill_panel_members_panel_id_skill_panels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_panel_members')),
    sa.UniqueConstraint('panel_id', 'examiner_id', name=op.f('uq_skill_panel_members_panel_id_examiner_id'))
    )
    with op.batch_alter_table('skill_panel_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_panel_members_examiner_id'), ['examiner_id'], unique=False)

    op.create_table('skill_candidate_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('task_code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('marking', 'arbitration', 'final', 'superseded', name='skill_task_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('final_score', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
    sa.Column('arbitration_reason', sa.Text(), nullable=False),
    sa.Column('arbitrated_by_id', sa.Integer(), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("status != 'final' OR final_score IS NOT NULL", name=op.f('ck_skill_candidate_tasks_final_has_score')),
    sa.CheckConstraint('final_score BETWEEN 0 AND 100', name=op.f('ck_skill_candidate_tasks_final_score_range')),
    sa.CheckConstraint('round >= 1', name=op.f('ck_skill_candidate_tasks_round_positive')),
    sa.CheckConstraint('weight BETWEEN 1 AND 100', name=op.f('ck_skill_candidate_tasks_weight_range')),
    sa.ForeignKeyConstraint(['arbitrated_by_id'], ['users.id'], name=op.f('fk_skill_candidate_tasks_arbitrated_by_id_users')),
    sa.ForeignKeyConstraint(['candidate_id'], ['skill_candidates.id'], name=op.f('fk_skill_candidate_tasks_candidate_id_skill_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panel_id'], ['skill_panels.id'], name=op.f('fk_skill_candidate_tasks_panel_id_skill_panels'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_candidate_tasks')),
    sa.UniqueConstraint('candidate_id', 'task_code', 'round', name=op.f('uq_skill_candidate_tasks_candidate_id_task_code_round'))
    )
    with op.batch_alter_table('skill_candidate_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_candidate_tasks_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('skill_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_task_id', sa.Integer(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('critical', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('total', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('submitted_at IS NULL OR total IS NOT NULL', name=op.f('ck_skill_marks_submitted_has_total')),
    sa.CheckConstraint('total BETWEEN 0 AND 100', name=op.f('ck_skill_marks_total_range')),
    sa.ForeignKeyConstraint(['candidate_task_id'], ['skill_candidate_tasks.id'], name=op.f('fk_skill_marks_candidate_task_id_skill_candidate_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['examiner_id'], ['users.id'], name=op.f('fk_skill_marks_examiner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_marks')),
    sa.UniqueConstraint('candidate_task_id', 'examiner_id', name=op.f('uq_skill_marks_candidate_task_id_examiner_id'))
    )
    with op.batch_alter_table('skill_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_marks_candidate_task_id'), ['candidate_task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_marks_examiner_id'), ['examiner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('skill_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_marks_examiner_id'))
        batch_op.drop_index(batch_op.f('ix_skill_marks_candidate_task_id'))

    op.drop_table('skill_marks')
    with op.batch_alter_table('skill_candidate_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_candidate_tasks_candidate_id'))

    op.drop_table('skill_candidate_tasks')
    with op.batch_alter_table('skill_panel_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_panel_members_examiner_id'))

    op.drop_table('skill_panel_members')
    with op.batch_alter_table('skill_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_candidates_staff_id'))
        batch_op.drop_index(batch_op.f('ix_skill_candidates_session_id'))

    op.drop_table('skill_candidates')
    op.drop_table('skill_panels')
    op.drop_table('skill_sessions')
    with op.batch_alter_table('examiner_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_examiner_relations_examiner_id'))

    op.drop_table('examiner_relations')
