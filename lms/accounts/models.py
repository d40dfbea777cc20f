"""User accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.access import Scope
from lms.core.roles import Role
from lms.db import Base, TimestampMixin, str_enum, utcnow
from lms.org.models import District, Institution, Staff


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Each role carries exactly the link that defines its scope.
        CheckConstraint(
            "(role = 'district_admin') = (district_id IS NOT NULL)", name="district_admin_scope"
        ),
        CheckConstraint(
            "(role = 'institution_manager') = (institution_id IS NOT NULL)",
            name="institution_manager_scope",
        ),
        CheckConstraint("role != 'trainee' OR staff_id IS NOT NULL", name="trainee_has_staff"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name, stored lower-case; trainees sign in with their mobile number.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role", 30))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: The staff record of a trainee (examiners may have one too: it decides conflicts of interest).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    #: Bumped by ``services.end_sessions`` (sign-out, password change, deactivation, role or
    #: scope change); sessions carrying an older value end.
    session_epoch: Mapped[int] = mapped_column(default=0)
    #: Set when someone else chose the password; the user must pick their own at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    district: Mapped[District | None] = relationship()
    institution: Mapped[Institution | None] = relationship()
    staff: Mapped[Staff | None] = relationship()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def scope(self) -> Scope:
        return Scope(
            role=self.role,
            district_id=self.district_id,
            institution_id=self.institution_id,
            staff_id=self.staff_id,
        )

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class TrustedDevice(Base):
    """A browser that once signed in to an account (OWASP's device cookie): it keeps its own
    small failure budget, so a stranger's failures, which lock out untrusted clients, do not
    lock the account's owner out."""

    __tablename__ = "trusted_devices"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random nonce the signed cookie carries.
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
