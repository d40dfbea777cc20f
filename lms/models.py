"""Imports every model so that the metadata is complete (migrations, tests)."""

from lms.accounts.models import User
from lms.api.models import ApiToken
from lms.authoring.models import ContentVersion
from lms.certification.models import (
    Certificate,
    CertificateFile,
    CertificateSerial,
    ExternalCertificate,
    HolderPhoto,
)
from lms.content.models import MediaFile
from lms.content.sources import ContentFile
from lms.core.audit import AuditEvent
from lms.core.ratelimit import RateLimitCounter
from lms.db import Base
from lms.exams.models import (
    Attempt,
    Blueprint,
    BlueprintCell,
    Candidate,
    ExamRoom,
    ExamSession,
    Invigilation,
    PaperItem,
    Question,
    QuestionMedia,
    QuestionVersion,
    Response,
)
from lms.grading.models import (
    CandidateTask,
    DeclaredRelation,
    Mark,
    Panel,
    PanelMember,
    PracticalTask,
    SkillCandidate,
    SkillPlan,
    SkillSession,
)
from lms.jobs.models import Job
from lms.learning.models import (
    Attendance,
    ClassSession,
    Cohort,
    Course,
    DistrictQuota,
    Enrolment,
    Lesson,
    LessonMedia,
    LessonProgress,
    Module,
    StudyDay,
    TrainingPlan,
)
from lms.learning.practice_models import PracticeAnswer, PracticeQuestion
from lms.org.models import District, Institution, RosterUpload, Staff
from lms.reports.models import DataRevision, FigureChange

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "Attempt",
    "Attendance",
    "AuditEvent",
    "Blueprint",
    "BlueprintCell",
    "Candidate",
    "CandidateTask",
    "Certificate",
    "CertificateFile",
    "CertificateSerial",
    "ClassSession",
    "Cohort",
    "ContentFile",
    "ContentVersion",
    "Course",
    "DataRevision",
    "DeclaredRelation",
    "District",
    "DistrictQuota",
    "Enrolment",
    "ExamRoom",
    "ExamSession",
    "ExternalCertificate",
    "FigureChange",
    "HolderPhoto",
    "Institution",
    "Invigilation",
    "Job",
    "Lesson",
    "LessonMedia",
    "LessonProgress",
    "Mark",
    "MediaFile",
    "Module",
    "Panel",
    "PanelMember",
    "PaperItem",
    "PracticalTask",
    "PracticeAnswer",
    "PracticeQuestion",
    "Question",
    "QuestionMedia",
    "QuestionVersion",
    "RateLimitCounter",
    "Response",
    "RosterUpload",
    "SkillCandidate",
    "SkillPlan",
    "SkillSession",
    "Staff",
    "StudyDay",
    "TrainingPlan",
    "User",
    "metadata",
]
