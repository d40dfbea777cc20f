"""Forms of the skill assessment pages (the marking sheet itself is built from the rubric)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.core.forms import BoundedDateTimeLocalField, options
from lms.core.levels import level_name
from lms.grading import rules
from lms.learning.forms import MultiCheckboxField


class SkillSessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=100)])
    level = SelectField(_l("Level"), coerce=int)
    starts_at = BoundedDateTimeLocalField(
        _l("First time slot"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    slot_minutes = IntegerField(
        _l("Minutes per time slot"), default=60, validators=[InputRequired(), NumberRange(5, 480)]
    )
    tasks_per_candidate = IntegerField(
        _l("Tasks per candidate"), default=4, validators=[InputRequired(), NumberRange(4, 6)]
    )
    combine_rule = SelectField(_l("Combining the panel's marks"))
    max_spread = DecimalField(
        _l("Largest spread without arbitration (points)"),
        default=15,
        places=1,
        validators=[InputRequired(), NumberRange(0, 100)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = options((level, level_name(level)) for level in (5, 4, 3))
        self.combine_rule.choices = options(
            (key, label) for key, (label, _combine) in rules.COMBINE_RULES.items()
        )


class PanelForm(FlaskForm):
    name = StringField(_l("Station"), validators=[DataRequired(), Length(max=40)])
    chief_id = SelectField(_l("Chief examiner"), coerce=int)
    member_ids = MultiCheckboxField(_l("Examiners"), coerce=int)


class CandidatesForm(FlaskForm):
    staff_ids = MultiCheckboxField(_l("Eligible trainees"), coerce=int)


class ArbitrationForm(FlaskForm):
    score = DecimalField(
        _l("Final mark"), places=1, validators=[InputRequired(), NumberRange(0, 100)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class AppealForm(FlaskForm):
    panel_id = SelectField(_l("New panel"), coerce=int)
    reason = TextAreaField(
        _l("Reason for the appeal"), validators=[DataRequired(), Length(max=2000)]
    )


class RelationForm(FlaskForm):
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=30)])
    note = StringField(_l("Relation"), validators=[Optional(), Length(max=200)])
