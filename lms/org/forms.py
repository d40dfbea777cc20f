"""Forms for institutions, staff and roster upload."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.core.forms import options
from lms.org.models import Gender, InstitutionType, Post


class InstitutionContactForm(FlaskForm):
    """What an institution's own manager may change."""

    registered_places = IntegerField(
        _l("Registered places"), default=0, validators=[NumberRange(min=0, max=10000)]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=30)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(_l("Save"))


class InstitutionForm(InstitutionContactForm):
    name = StringField(_l("Registered name"), validators=[DataRequired(), Length(max=100)])
    district_id = SelectField(_l("District"), coerce=int)
    type = SelectField(_l("Type"))
    is_inclusive = BooleanField(_l("Certified inclusive (普惠)"))
    is_active = BooleanField(_l("In operation"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options([(t.value, t.label) for t in InstitutionType])


class InstitutionSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or address"), validators=[Optional(), Length(max=100)])
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    type = SelectField(_l("Type"), validators=[Optional()])
    inclusive = SelectField(_l("Inclusive"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options(
            [("", _l("All types"))] + [(t.value, t.label) for t in InstitutionType]
        )
        self.inclusive.choices = options(
            [
                ("", _l("All")),
                ("1", _l("Inclusive")),
                ("0", _l("Not inclusive")),
            ]
        )


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=30)])
    gender = RadioField(_l("Gender"), validators=[DataRequired()])
    id_number = StringField(
        _l("Resident ID number"),
        validators=[Optional(), Length(max=18)],
        render_kw={"autocomplete": "off", "inputmode": "text"},
    )
    phone = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    institution_id = SelectField(_l("Institution"), coerce=int)
    post = SelectField(_l("Post"))
    in_post_from = DateField(_l("In post since"), validators=[DataRequired()])
    in_post_to = DateField(_l("In post until"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gender.choices = options([(g.value, g.label) for g in Gender])
        self.post.choices = options([(p.value, p.label) for p in Post])


class StaffSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, mobile or full ID number"), validators=[Optional(), Length(max=30)])
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    institution_id = SelectField(_l("Institution"), coerce=int, validators=[Optional()])
    post = SelectField(_l("Post"), validators=[Optional()])
    in_post = BooleanField(_l("In post today"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.post.choices = options([("", _l("All posts"))] + [(p.value, p.label) for p in Post])


class RevealIdForm(FlaskForm):
    reason = StringField(_l("Reason for viewing"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Show full ID number"))


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Roster file (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file")),
            FileAllowed(["csv", "xlsx"], _l("Only .csv and .xlsx files")),
        ],
    )
    submit = SubmitField(_l("Check the file"))
