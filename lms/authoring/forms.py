"""Forms of the authoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from lms.authoring.services import HOURS


class LessonDraftForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    hours = DecimalField(
        _l("Study hours"),
        places=1,
        validators=[InputRequired(), NumberRange(min=HOURS[0], max=HOURS[1])],
    )
    body = TextAreaField(
        _l("Lesson text (Markdown)"),
        validators=[DataRequired(), Length(max=60000)],
        description=_l(
            "Headings start with ##, lists with -; pictures: "
            "![what the picture shows](media/file.svg)."
        ),
    )
    #: The draft's lock version when the page was loaded (checked on save).
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Note for the author"), validators=[Optional(), Length(max=2000)])


class PreviewForm(FlaskForm):
    body = TextAreaField(validators=[Optional(), Length(max=60000)])


class PictureForm(FlaskForm):
    picture = FileField(
        _l("Picture (PNG, JPEG or SVG)"), validators=[FileRequired(_l("Choose a file"))]
    )
    alt = StringField(
        _l("Alternative text (what the picture shows)"),
        validators=[DataRequired(), Length(max=200)],
    )
