"""Districts, childcare institutions and their staff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum, utcnow


class InstitutionType(LabelledEnum):
    CITY_CENTRE = "city_centre"
    DISTRICT_CENTRE = "district_centre"
    COMMUNITY_POINT = "community_point"
    FAMILY_POINT = "family_point"
    KINDERGARTEN_CLASS = "kindergarten_class"
    EMPLOYER_RUN = "employer_run"
    PRIVATE = "private"

    __labels__ = labels(
        {
            CITY_CENTRE: _l("City comprehensive childcare centre"),
            DISTRICT_CENTRE: _l("District public comprehensive centre"),
            COMMUNITY_POINT: _l("Community childcare point"),
            FAMILY_POINT: _l("Family childcare point"),
            KINDERGARTEN_CLASS: _l("Kindergarten nursery class"),
            EMPLOYER_RUN: _l("Employer-run centre"),
            PRIVATE: _l("Private institution"),
        }
    )


class Gender(LabelledEnum):
    MALE = "M"
    FEMALE = "F"

    __labels__ = labels({MALE: _l("Male"), FEMALE: _l("Female")})


class Post(LabelledEnum):
    CAREGIVER = "caregiver"
    LEAD = "lead"
    OTHER = "other"

    __labels__ = labels(
        {
            CAREGIVER: _l("Caregiver"),
            LEAD: _l("Person in charge"),
            OTHER: _l("Other post"),
        }
    )


#: Posts whose holders are caregiving staff (保育人员): the people the licensed-to-work rate
#: counts and training takes in; not persons in charge, cooks or doctors.
CAREGIVING_POSTS: tuple[Post, ...] = (Post.CAREGIVER,)


def in_post_clause(
    in_post_from: ColumnElement[date], in_post_to: ColumnElement[date | None], day: date
) -> ColumnElement[bool]:
    """SQL for "in post on ``day``" over any pair of post-date columns (a table's or a
    subquery's); ``Staff.in_post_on`` is the same rule and the one to use on staff rows."""
    return and_(in_post_from <= day, or_(in_post_to.is_(None), in_post_to >= day))


class District(Base):
    """A county-level division of the city."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Administrative division code (GB/T 2260), e.g. 140403 for 潞州区.
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    institutions: Mapped[list[Institution]] = relationship(back_populates="district")

    def __repr__(self) -> str:
        return f"<District {self.code} {self.name}>"


class Institution(TimestampMixin, Base):
    """A registered childcare institution."""

    __tablename__ = "institutions"
    __table_args__ = (
        CheckConstraint("registered_places >= 0", name="places_not_negative"),
        Index("ix_institutions_district_type", "district_id", "type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered name; roster files match institutions by this exact text.
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    type: Mapped[InstitutionType] = mapped_column(str_enum(InstitutionType, "institution_type", 30))
    #: 普惠: certified as an inclusive (subsidised-price) institution.
    is_inclusive: Mapped[bool] = mapped_column(default=False)
    registered_places: Mapped[int] = mapped_column(default=0)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(30), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    district: Mapped[District] = relationship(back_populates="institutions")
    staff: Mapped[list[Staff]] = relationship(back_populates="institution")

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.name}>"


class Staff(TimestampMixin, Base):
    """A person working (or who worked) in a childcare institution."""

    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("id_number_hash"),
        CheckConstraint(
            "in_post_to IS NULL OR in_post_to >= in_post_from", name="post_dates_ordered"
        ),
        Index("ix_staff_institution_post", "institution_id", "post"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), index=True)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender", 1))
    #: AES-GCM ciphertext of the resident ID number (see lms.core.crypto).
    id_number_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    #: HMAC of the ID number: exact look-up and uniqueness without decrypting.
    id_number_hash: Mapped[str] = mapped_column(String(64))
    #: What screens show, e.g. 140402********1234; never the full number.
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(11))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="RESTRICT"))
    post: Mapped[Post] = mapped_column(str_enum(Post, "post", 20))
    in_post_from: Mapped[date]
    in_post_to: Mapped[date | None]

    institution: Mapped[Institution] = relationship(back_populates="staff")

    # "In post on a day" and "caregiver in post on a day" are defined here once, for Python
    # (``staff.in_post_on(day)``) and for SQL (``select(Staff).where(Staff.in_post_on(day))``):
    # the org pages, the rate, the dashboard and training all call these.

    @hybrid_method
    def in_post_on(self, day: date) -> bool:
        """Whether the person holds their post on ``day`` (both end days included)."""
        return self.in_post_from <= day and (self.in_post_to is None or self.in_post_to >= day)

    @in_post_on.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _in_post_on_expression(cls, day: date) -> ColumnElement[bool]:
        return in_post_clause(cls.in_post_from, cls.in_post_to, day)  # type: ignore[arg-type]

    @hybrid_property
    def is_caregiving(self) -> bool:
        """Whether the post is a caregiving one (``CAREGIVING_POSTS``)."""
        return self.post in CAREGIVING_POSTS

    @is_caregiving.inplace.expression
    @classmethod
    def _is_caregiving_expression(cls) -> ColumnElement[bool]:
        return cls.post.in_(CAREGIVING_POSTS)

    @hybrid_method
    def caregiver_in_post_on(self, day: date) -> bool:
        """Whether the person is caregiving staff in post on ``day``: whom the rate counts."""
        return self.is_caregiving and self.in_post_on(day)

    @caregiver_in_post_on.inplace.expression  # type: ignore[attr-defined]
    @classmethod
    def _caregiver_in_post_on_expression(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.post.in_(CAREGIVING_POSTS), cls.in_post_on(day))

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.name}>"


class RosterUpload(Base):
    """A roster file uploaded through the web. It is read and checked once, when uploaded: the
    checked rows are kept (ID numbers encrypted) in roster_upload_rows, the file itself is not
    kept, and preview and import work from the stored rows."""

    __tablename__ = "roster_uploads"
    __table_args__ = (
        CheckConstraint("(status = 'applied') = (applied_at IS NOT NULL)", name="applied_has_time"),
        CheckConstraint("status IN ('pending', 'applied', 'discarded')", name="status_known"),
        CheckConstraint("row_count >= 0 AND error_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    applied_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Why the file as a whole could not be read ("" when it could).
    file_error: Mapped[str] = mapped_column(Text, default="")
    #: Data rows checked, and errors found (all counted; the first ones kept in ``errors``).
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    #: [[row, column, message], …], the first roster.MAX_REPORTED_ERRORS.
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Rows that were new, to update, unchanged when the file was checked.
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    #: The background job importing a large file.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))


class RosterUploadRow(Base):
    """One checked row of an uploaded roster, ready to be written; erased once applied."""

    __tablename__ = "roster_upload_rows"
    __table_args__ = (
        CheckConstraint("action IN ('new', 'update', 'unchanged')", name="action_known"),
        CheckConstraint(
            "in_post_to IS NULL OR in_post_to >= in_post_from", name="post_dates_ordered"
        ),
    )

    upload_id: Mapped[int] = mapped_column(
        ForeignKey("roster_uploads.id", ondelete="CASCADE"), primary_key=True
    )
    #: The row number in the file.
    row: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    action: Mapped[str] = mapped_column(String(10))
    #: Columns that differed from the stored record, comma-separated.
    changed: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(30))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender", 1))
    id_number_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(11))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    post: Mapped[Post] = mapped_column(str_enum(Post, "post", 20))
    in_post_from: Mapped[date]
    in_post_to: Mapped[date | None]
