"""Imports every model so that the metadata is complete (migrations, tests)."""

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.db import Base
from lms.learning.models import (
    Attendance,
    ClassSession,
    Cohort,
    Course,
    DistrictQuota,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    StudyDay,
    TrainingPlan,
)
from lms.org.models import District, Institution, RosterUpload, Staff

metadata = Base.metadata

__all__ = [
    "Attendance",
    "AuditEvent",
    "ClassSession",
    "Cohort",
    "Course",
    "District",
    "DistrictQuota",
    "Enrolment",
    "Institution",
    "Lesson",
    "LessonProgress",
    "Module",
    "RosterUpload",
    "Staff",
    "StudyDay",
    "TrainingPlan",
    "User",
    "metadata",
]
