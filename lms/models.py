"""Imports every model so that the metadata is complete (migrations, tests)."""

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.db import Base
from lms.org.models import District, Institution, RosterUpload, Staff

metadata = Base.metadata

__all__ = ["AuditEvent", "District", "Institution", "RosterUpload", "Staff", "User", "metadata"]
