"""Question bank, blueprints and the examiners' marking queue."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.content.courses import catalog
from lms.core import params
from lms.core.access import get_visible, roles_required, visible_or_404
from lms.core.errors import DomainError
from lms.core.forms import drop_invalid_filters, options
from lms.core.levels import level_labels
from lms.core.pagination import paginate
from lms.core.roles import Role
from lms.core.storage import MissingMedia
from lms.db import db
from lms.exams import bank, marking, qti, queries, question_types
from lms.exams import media as media_rules
from lms.exams.draw import shortfalls
from lms.exams.forms import BankFilterForm, MarkForm, QtiImportForm, QuestionForm
from lms.exams.models import Question, QuestionMedia

bp = Blueprint("exams", __name__, url_prefix="/exams")
BANK_ROLES = (Role.CITY_ADMIN, Role.EXAMINER)


def catalog_choices() -> tuple[list[Any], list[Any], list[Any]]:
    """(levels, work areas, difficulties) choices from courses/catalog.yaml."""
    vocabulary = catalog(current_app.config["COURSES_ROOT"])
    levels = [(digit, label) for digit, label in sorted(level_labels().items(), reverse=True)]
    return levels, list(vocabulary.work_areas.items()), list(vocabulary.difficulties.items())


@bp.route("/bank")
@roles_required(*BANK_ROLES)
def bank_list() -> Any:
    form = BankFilterForm(request.args)
    levels, areas, difficulties = catalog_choices()
    form.level.choices = options([(0, _l("All levels")), *levels])
    form.type.choices = options(
        [("", _l("All types"))] + [(k, t.label) for k, t in question_types.REGISTRY.items()]
    )
    form.work_area.choices = options([("", _l("All work areas")), *areas])
    form.difficulty.choices = options([("", _l("All difficulties")), *difficulties])
    form.state.choices = options(
        [("active", _l("In use")), ("retired", _l("Retired")), ("all", _l("All"))]
    )
    drop_invalid_filters(form)
    statement = queries.bank(
        text=form.q.data or "",
        level=form.level.data or None,
        type=form.type.data or None,
        work_area=form.work_area.data or None,
        difficulty=form.difficulty.data or None,
        state=form.state.data or "active",
    )
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "exams/bank.html", form=form, page=page, areas=dict(areas), difficulties=dict(difficulties)
    )


def _question_form() -> QuestionForm:
    form = QuestionForm()
    levels, areas, difficulties = catalog_choices()
    form.level.choices = options(levels)
    form.work_area.choices = options(areas)
    form.difficulty.choices = options(difficulties)
    return form


@bp.route("/bank/new", methods=["GET", "POST"])
@roles_required(*BANK_ROLES)
def new_question() -> Any:
    form = _question_form()
    if form.validate_on_submit():
        data = bank.QuestionData(
            type=form.type.data,
            level=form.level.data,
            work_area=form.work_area.data,
            difficulty=form.difficulty.data,
            stem=form.stem.data or "",
            options_text=form.options_text.data or "",
            answer_text=form.answer_text.data or "",
            explanation=form.explanation.data or "",
        )
        try:
            question = bank.create_question(data, author=current_user)
        except DomainError as error:
            form.answer_text.errors = [*form.answer_text.errors, error.message]
        else:
            flash(_l("The question has been added to the bank."), "success")
            return redirect(url_for("exams.question", question_id=question.id))
    return render_template("exams/question_form.html", form=form)


@bp.route("/bank/<int:question_id>")
@roles_required(*BANK_ROLES)
def question(question_id: int) -> Any:
    found = get_visible(Question, question_id)
    _levels, areas, difficulties = catalog_choices()
    return render_template(
        "exams/question.html",
        question=found,
        action_form=ActionForm(),
        kind=question_types.get(found.type),
        areas=dict(areas),
        difficulties=dict(difficulties),
    )


@bp.route("/bank/<int:question_id>/retire", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def retire_question(question_id: int) -> Any:
    found = get_visible(Question, question_id)
    if ActionForm().validate_on_submit():
        bank.set_retired(found, found.retired_at is None)
    return redirect(url_for("exams.question", question_id=found.id))


@bp.route("/bank/import", methods=["GET", "POST"])
@roles_required(*BANK_ROLES)
def import_qti() -> Any:
    """Check a QTI file and import it item by item; the page lists what became of each."""
    form = QtiImportForm()
    levels, areas, difficulties = catalog_choices()
    form.level.choices, form.work_area.choices = options(levels), options(areas)
    form.difficulty.choices = options(difficulties)
    result = report = None
    if form.validate_on_submit():
        upload = form.file.data
        result = qti.parse(upload.filename or "upload", upload.read())
        if result.errors:
            flash(
                _l("Nothing was imported: %(n)d items cannot be used.", n=len(result.errors)),
                "error",
            )
        elif not result.items:
            flash(_l("The file holds no items."), "error")
        else:
            report = qti.import_items(
                result.items,
                level=form.level.data,
                work_area=form.work_area.data,
                difficulty=form.difficulty.data,
                author=current_user,
                on_conflict=form.on_conflict.data or "refuse",
            )
            flash(
                _l(
                    "%(c)d questions added, %(u)d updated (as new versions), %(s)d unchanged.",
                    c=report.created,
                    u=report.updated,
                    s=report.unchanged,
                ),
                "success",
            )
            if report.refused:
                flash(_l("%(n)d items were refused; see the list.", n=len(report.refused)), "error")
    return render_template("exams/import.html", form=form, result=result, report=report)


@bp.route("/media/<int:media_id>")
@roles_required(*BANK_ROLES, Role.TRAINEE)
def media(media_id: int) -> Any:
    """A picture, sound or video of a question: for the bank's readers, and for a trainee
    while a started paper of theirs shows it (lms/exams/media.py); 404 for anyone else."""
    found = db.session.get(QuestionMedia, media_id)
    if found is None or not media_rules.may_see(current_user, media_id):
        abort(404)
    try:
        data = media_rules.read(found)
    except MissingMedia:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = found.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.set_etag(found.sha256)
    # Byte ranges: phones' players (Safari's above all) seek sound and video with them.
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))


@bp.route("/blueprints")
@roles_required(*BANK_ROLES, Role.DISTRICT_ADMIN)
def blueprints() -> Any:
    rows = []
    for blueprint in queries.blueprints():
        bank_rows = db.session.scalars(
            select(Question).where(Question.level == blueprint.level, Question.retired_at.is_(None))
        ).all()
        pool = [(q.id, q.level, q.type, q.work_area, q.difficulty) for q in bank_rows]
        rows.append((blueprint, shortfalls(blueprint.level, blueprint.cells, pool), len(bank_rows)))
    _levels, areas, difficulties = catalog_choices()
    return render_template(
        "exams/blueprints.html",
        rows=rows,
        areas=dict(areas),
        difficulties=dict(difficulties),
        types=question_types.REGISTRY,
    )


# Marking ------------------------------------------------------------------------------------


#: Short answers to mark shown a page at a time.
MARKING_PAGE_SIZE = 50


@bp.route("/marking")
@roles_required(Role.EXAMINER)
def marking_queue() -> Any:
    """The short answers waiting for a mark, a page at a time, narrowed to one session."""
    session_id = params.id_arg("session")
    page = paginate(
        marking.queue_statement(session_id), params.page_arg(), MARKING_PAGE_SIZE, scalars=False
    )
    return render_template(
        "exams/marking_queue.html",
        page=page,
        tasks=[marking.MarkingTask(*row) for row in page.items],
        sessions=marking.queue_sessions(),
        session_id=session_id,
    )


@bp.route("/marking/<int:response_id>", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def mark(response_id: int) -> Any:
    task = visible_or_404(marking.task(response_id))
    form = MarkForm()
    if request.method == "GET" and task.response.score is not None:
        form.score.data = task.response.score
        form.comment.data = task.response.marker_comment
    if form.validate_on_submit():
        try:
            marking.mark(task, current_user, float(form.score.data), form.comment.data or "")
        except DomainError as error:
            form.score.errors = [*form.score.errors, error.message]
        else:
            flash(_l("Mark saved."), "success")
            return redirect(url_for("exams.marking_queue"))
    return render_template("exams/mark.html", task=task, form=form)
