"""Learning: courses and lessons, training plans with district quotas, cohorts, enrolments,
study time and attendance.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:29:19.450650+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('min_hours', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
    sa.Column('require_all_lessons', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_courses_level_digit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('code', name=op.f('uq_courses_code'))
    )
    op.create_table('training_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('total_quota', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('total_quota >= 0', name=op.f('ck_training_plans_quota_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_plans')),
    sa.UniqueConstraint('year', name=op.f('uq_training_plans_year'))
    )
    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.Enum('online', 'in_person', 'mixed', name='cohort_mode', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_cohorts_capacity_positive')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_cohorts_dates_ordered')),
    sa.CheckConstraint('enrolled >= 0 AND enrolled <= capacity', name=op.f('ck_cohorts_within_capacity')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_cohorts_course_id_courses')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_cohorts_district_id_districts')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_cohorts_plan_id_training_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts'))
    )
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohorts_plan_id'), ['plan_id'], unique=False)

    op.create_table('course_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('work_area', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_modules_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_modules')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_course_modules_course_id_key'))
    )
    op.create_table('district_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.CheckConstraint('used >= 0 AND used <= quota', name=op.f('ck_district_quotas_within_quota')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_district_quotas_district_id_districts')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_district_quotas_plan_id_training_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_quotas')),
    sa.UniqueConstraint('plan_id', 'district_id', name=op.f('uq_district_quotas_plan_id_district_id'))
    )
    op.create_table('class_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('check_in_code', sa.String(length=12), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_class_sessions_times_ordered')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_class_sessions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_sessions')),
    sa.UniqueConstraint('check_in_code', name=op.f('uq_class_sessions_check_in_code'))
    )
    op.create_table('lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=4, scale=2, asdecimal=False), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('care_domains', sa.JSON(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_lessons_hours_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_lessons_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['course_modules.id'], name=op.f('fk_lessons_module_id_course_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lessons')),
    sa.UniqueConstraint('key', name=op.f('uq_lessons_key'))
    )
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lessons_course_id'), ['course_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('nominated', 'enrolled', 'rejected', 'withdrawn', 'completed', name='enrolment_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('quota_id', sa.Integer(), nullable=True),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('nominated_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=False),
    sa.Column('study_seconds', sa.Integer(), nullable=False),
    sa.Column('last_study_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name=op.f('ck_enrolments_completed_has_time')),
    sa.CheckConstraint('study_seconds >= 0', name=op.f('ck_enrolments_study_seconds_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_enrolments_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_enrolments_decided_by_id_users')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['users.id'], name=op.f('fk_enrolments_nominated_by_id_users')),
    sa.ForeignKeyConstraint(['quota_id'], ['district_quotas.id'], name=op.f('fk_enrolments_quota_id_district_quotas')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_enrolments_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('cohort_id', 'staff_id', name=op.f('uq_enrolments_cohort_id_staff_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_enrolments_staff_status', ['staff_id', 'status'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_attendance_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_attendance_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['class_sessions.id'], name=op.f('fk_attendance_session_id_class_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_attendance_session_id_enrolment_id'))
    )
    op.create_table('lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('first_opened_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('seconds >= 0', name=op.f('ck_lesson_progress_seconds_not_negative')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_lesson_progress_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_progress_lesson_id_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_progress')),
    sa.UniqueConstraint('enrolment_id', 'lesson_id', name=op.f('uq_lesson_progress_enrolment_id_lesson_id'))
    )
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_progress_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('study_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_study_days_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_days')),
    sa.UniqueConstraint('enrolment_id', 'day', name=op.f('uq_study_days_enrolment_id_day'))
    )


def downgrade() -> None:
    op.drop_table('study_days')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_progress_lesson_id'))

    op.drop_table('lesson_progress')
    op.drop_table('attendance')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_staff_status')
        batch_op.drop_index(batch_op.f('ix_enrolments_cohort_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lessons_course_id'))

    op.drop_table('lessons')
    op.drop_table('class_sessions')
    op.drop_table('district_quotas')
    op.drop_table('course_modules')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohorts_plan_id'))

    op.drop_table('cohorts')
    op.drop_table('training_plans')
    op.drop_table('courses')
