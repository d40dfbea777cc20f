"""Forms of the exam pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.core.forms import BoundedDateTimeLocalField, options
from lms.exams import question_types
from lms.learning.forms import MultiCheckboxField


class BankFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Text"), validators=[Optional(), Length(max=100)])
    level = SelectField(_l("Level"), coerce=int, validators=[Optional()])
    type = SelectField(_l("Type"), validators=[Optional()])
    work_area = SelectField(_l("Work area"), validators=[Optional()])
    difficulty = SelectField(_l("Difficulty"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])


class QuestionForm(FlaskForm):
    type = SelectField(_l("Type"))
    level = SelectField(_l("Level"), coerce=int)
    work_area = SelectField(_l("Work area"))
    difficulty = SelectField(_l("Difficulty"))
    stem = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    options_text = TextAreaField(
        _l("Options (one per line)"), validators=[Optional(), Length(max=3000)]
    )
    answer_text = StringField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])
    explanation = TextAreaField(_l("Explanation"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Save question"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = options([(k, t.label) for k, t in question_types.REGISTRY.items()])


class QtiImportForm(FlaskForm):
    file = FileField(
        _l("QTI 2.1 item (XML) or content package (ZIP)"),
        validators=[
            FileRequired(_l("Choose a file")),
            FileAllowed(["xml", "zip"], _l("Only .xml and .zip files")),
        ],
    )
    level = SelectField(_l("Level"), coerce=int)
    work_area = SelectField(_l("Work area"))
    difficulty = SelectField(_l("Difficulty"))
    on_conflict = RadioField(_l("An identifier already in the bank"), default="refuse")
    submit = SubmitField(_l("Check and import"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_conflict.choices = options(
            [
                ("refuse", _l("Refuse the item and report it (nothing is overwritten)")),
                ("rename", _l("Import it as a new question under a new key")),
                ("update", _l("Update my own earlier import of it (as a new version)")),
            ]
        )


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    blueprint_id = SelectField(_l("Blueprint"), coerce=int)
    district_id = SelectField(_l("For"), coerce=int)
    opens_at = BoundedDateTimeLocalField(_l("Opens at"), validators=[DataRequired()])
    closes_at = BoundedDateTimeLocalField(_l("Closes at"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[DataRequired(), NumberRange(min=10, max=300)]
    )
    submit = SubmitField(_l("Save"))


class RoomForm(FlaskForm):
    name = StringField(_l("Room"), validators=[DataRequired(), Length(max=60)])
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=500)])
    submit = SubmitField(_l("Add room"))


class InvigilatorForm(FlaskForm):
    user_id = SelectField(_l("Invigilator"), coerce=int)
    submit = SubmitField(_l("Add"))


class MarkForm(FlaskForm):
    score = DecimalField(
        _l("Mark"),
        places=2,
        validators=[InputRequired(message=_l("Give a mark")), NumberRange(min=0)],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Save mark"))


class RegradeForm(FlaskForm):
    """Choose a newer version to regrade by; ``confirm`` is set on the confirmation page."""

    version_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    confirm = IntegerField(validators=[Optional(), NumberRange(min=0, max=1)])
    #: The papers to regrade, chosen on the confirmation page (all affected ones at first).
    attempt_ids = MultiCheckboxField(coerce=int, validate_choice=False)
