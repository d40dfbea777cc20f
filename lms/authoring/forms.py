"""Forms of the authoring pages."""

from __future__ import annotations

import string
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from lms.authoring.files import catalog
from lms.authoring.lessons import HOURS
from lms.core.forms import options
from lms.exams.question_types import REGISTRY
from lms.learning.forms import MultiCheckboxField


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
    #: The live version the page showed a sync's change against (lms.authoring.stale).
    base = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def fill(self, document: dict[str, Any]) -> None:
        self.title.data = document["title"]
        self.hours.data = document["hours"]
        self.body.data = document["body"]

    def document(self, before: dict[str, Any], live: Any = None) -> dict[str, Any]:
        return {
            "title": (self.title.data or "").strip(),
            "hours": float(self.hours.data or 0),
            "body": (self.body.data or "").replace("\r\n", "\n"),
        }


class NewLessonDraftForm(LessonDraftForm):
    """A new lesson's draft: also its module, place in the course and slug."""

    module = SelectField(_l("Module"), validators=[DataRequired()])
    position = IntegerField(
        _l("Place in the course"),
        validators=[InputRequired(), NumberRange(min=1, max=99)],
        description=_l("1 is the first lesson; the lessons from this place on move down."),
    )
    slug = StringField(
        _l("Slug"),
        validators=[Optional(), Length(max=60)],
        description=_l(
            "The lesson's id and file name in courses/: a-z, 0-9 and -. Left empty, it is "
            "made from the title (or the module, for a Chinese title) and numbered if taken."
        ),
    )

    def place_in(self, course: Any) -> None:
        self.module.choices = options(
            (m.key, m.title) for m in (course.modules if course else []) if m.retired_at is None
        )

    def fill(self, document: dict[str, Any]) -> None:
        super().fill(document)
        for name in ("module", "position", "slug"):
            getattr(self, name).data = document[name]

    def document(self, before: dict[str, Any], live: Any = None) -> dict[str, Any]:
        return {
            "course": before["course"],
            "module": self.module.data,
            "position": int(self.position.data or 0),
            "slug": (self.slug.data or "").strip().lower(),
            **super().document(before, live),
        }


class VideoForm(FlaskForm):
    video = FileField(
        _l("Video (MP4, MOV or WebM)"),
        validators=[FileRequired(_l("Choose a file"))],
        description=_l(
            "A video phones cannot play as it is (HEVC, MPEG-4 part 2, VP8/VP9, MOV) is "
            "converted to MP4/H.264 in the background; the lesson says it is being prepared "
            "until then."
        ),
    )
    captions = FileField(
        _l("Captions (WebVTT, .vtt)"), validators=[FileRequired(_l("Choose a file"))]
    )
    title = StringField(_l("Video title"), validators=[Optional(), Length(max=200)])


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


# Questions and practical tasks ---------------------------------------------------------------


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionDraftForm(FlaskForm):
    type = SelectField(_l("Type"), validators=[DataRequired()])
    level = SelectField(_l("Level"), coerce=int, validators=[InputRequired()])
    work_area = SelectField(_l("Work area"), validators=[DataRequired()])
    difficulty = SelectField(_l("Difficulty"), validators=[DataRequired()])
    stem = TextAreaField(_l("Stem"), validators=[DataRequired(), Length(max=4000)])
    options = TextAreaField(
        _l("Options"),
        validators=[Optional(), Length(max=4000)],
        description=_l("One option per line; they are lettered A, B, C… in this order."),
    )
    answer = TextAreaField(
        _l("Answer key"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l(
            "Single choice: one letter (B); multiple choice: letters (A,C); true or false: "
            "对 or 错; short answer: the reference answer for the examiners."
        ),
    )
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=4000)])
    fixed = BooleanField(_l("Keep the options in the written order"))
    #: The alternative text of each picture the question shows, in the document's order.
    alts = FieldList(StringField(validators=[Optional(), Length(max=200)]))
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    #: The live version the page showed a sync's change against (lms.authoring.stale).
    base = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = catalog()
        self.type.choices = options((key, kind.label) for key, kind in REGISTRY.items())
        self.level.choices = options(
            (level, label or str(level)) for level, label in known.levels.items()
        )
        self.work_area.choices = options([("", "—"), *known.work_areas.items()])
        self.difficulty.choices = options(known.difficulties.items())

    def fill(self, document: dict[str, Any]) -> None:
        for name in ("type", "level", "work_area", "difficulty", "stem", "explanation"):
            getattr(self, name).data = document[name]
        self.options.data = "\n".join(str(text) for text in (document["options"] or {}).values())
        answer = document["answer"]
        if isinstance(answer, bool):
            answer = "对" if answer else "错"
        elif isinstance(answer, list):
            answer = ",".join(answer)
        self.answer.data = str(answer)
        fixed = list(document.get("fixed_options") or [])
        self.fixed.data = bool(fixed) and fixed == list(document["options"] or {})
        for entry in _pictures(document):
            self.alts.append_entry(entry.get("alt", ""))

    def document(self, before: dict[str, Any], live: Any = None) -> dict[str, Any]:
        """The draft as written in the form; the pictures (and options kept in place by an
        import) carried over from ``before``."""
        kind = REGISTRY[self.type.data]
        lines = _lines(self.options.data) if kind.has_options else []
        written = {string.ascii_uppercase[i]: text for i, text in enumerate(lines[:26])}
        kept = [key for key in before.get("fixed_options") or [] if key in written]
        fixed = list(written) if self.fixed.data else kept if kept != list(written) else []
        media = {
            place: [dict(entry) for entry in entries]
            for place, entries in (before.get("media") or {}).items()
        }
        alts = [str(alt or "").strip() for alt in self.alts.data]
        for entry, alt in zip(_pictures({"media": media}), alts, strict=False):
            entry["alt"] = alt
        return {
            "type": self.type.data,
            "level": self.level.data,
            "work_area": self.work_area.data,
            "difficulty": self.difficulty.data,
            "stem": (self.stem.data or "").strip().replace("\r\n", "\n"),
            "options": written,
            "answer": kind.parse_answer_text(self.answer.data or ""),
            "explanation": (self.explanation.data or "").strip().replace("\r\n", "\n"),
            "fixed_options": fixed,
            "media": media,
        }


def _pictures(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for entries in (document.get("media") or {}).values() for entry in entries]


class CriterionForm(Form):
    key = StringField(_l("Id"), validators=[Optional(), Length(max=60)])
    text = TextAreaField(_l("What the examiner checks"), validators=[Optional(), Length(max=500)])
    minutes = DecimalField(_l("Minutes"), places=2, validators=[Optional(), NumberRange(0, 240)])
    points = IntegerField(_l("Points"), validators=[Optional(), NumberRange(0, 100)])
    describe_only = BooleanField(_l("Described, not waited for"))
    real_minutes = DecimalField(
        _l("Minutes in reality"), places=2, validators=[Optional(), NumberRange(0, 10000)]
    )


class CriticalErrorForm(Form):
    key = StringField(_l("Id"), validators=[Optional(), Length(max=60)])
    text = TextAreaField(_l("Critical error"), validators=[Optional(), Length(max=500)])


#: Empty rows under a task's rubric items and critical errors, to add new ones.
SPARE_ROWS = 2


class TaskDraftForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=60)],
        description=_l("a-z, 0-9 and -, e.g. bottle-feeding; it cannot change once published"),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    levels = MultiCheckboxField(_l("Levels assessed"), coerce=int)
    work_area = SelectField(_l("Work area"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Time allowed (minutes)"), validators=[InputRequired(), NumberRange(1, 240)]
    )
    scenario = TextAreaField(_l("Scenario"), validators=[DataRequired(), Length(max=4000)])
    materials = TextAreaField(
        _l("Materials"),
        validators=[Optional(), Length(max=2000)],
        description=_l("One per line."),
    )
    criteria = FieldList(FormField(CriterionForm), max_entries=60)
    critical_errors = FieldList(FormField(CriticalErrorForm), max_entries=30)
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    #: The live version the page showed a sync's change against (lms.authoring.stale).
    base = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = catalog()
        self.levels.choices = options(
            (level, label or str(level)) for level, label in known.levels.items()
        )
        self.work_area.choices = options(
            [("", "—"), *((area, known.work_areas.get(area, area)) for area in known.skill_areas)]
        )

    def fill(self, document: dict[str, Any]) -> None:
        for name in ("code", "title", "levels", "work_area", "duration_minutes", "scenario"):
            getattr(self, name).data = document[name]
        self.materials.data = "\n".join(document["materials"])
        for item in document["criteria"]:
            self.criteria.append_entry(
                {
                    "key": item["id"],
                    "text": item["text"],
                    "minutes": item["minutes"],
                    "points": item["points"],
                    "describe_only": bool(item.get("describe_only")),
                    "real_minutes": item.get("real_minutes"),
                }
            )
        for item in document["critical_errors"]:
            self.critical_errors.append_entry({"key": item["id"], "text": item["text"]})
        self.add_spare_rows()

    def add_spare_rows(self) -> None:
        for _ in range(SPARE_ROWS):
            self.criteria.append_entry()
            self.critical_errors.append_entry()

    def document(self, before: dict[str, Any], live: Any = None) -> dict[str, Any]:
        """The draft as written in the form (for the live task ``live``, if published);
        rows left empty are dropped."""
        criteria = []
        for row in self.criteria.data:
            if not (row["key"] or "").strip() and not (row["text"] or "").strip():
                continue
            item: dict[str, Any] = {
                "id": (row["key"] or "").strip(),
                "text": (row["text"] or "").strip(),
                "minutes": float(row["minutes"] or 0),
                "points": int(row["points"] or 0),
            }
            if row["describe_only"]:
                item |= {"describe_only": True, "real_minutes": float(row["real_minutes"] or 0)}
            criteria.append(item)
        critical = [
            {"id": (row["key"] or "").strip(), "text": (row["text"] or "").strip()}
            for row in self.critical_errors.data
            if (row["key"] or "").strip() or (row["text"] or "").strip()
        ]
        return {
            # The code of a published task is its identity: only a new one chooses it.
            "code": live.code if live is not None else (self.code.data or "").strip(),
            "title": (self.title.data or "").strip(),
            "levels": sorted(self.levels.data or []),
            "work_area": self.work_area.data,
            "duration_minutes": int(self.duration_minutes.data or 0),
            "scenario": " ".join((self.scenario.data or "").split()),
            "materials": _lines(self.materials.data),
            "criteria": criteria,
            "critical_errors": critical,
        }


class DraftFilterForm(FlaskForm):
    """The drafts list's filter, read from the address."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
