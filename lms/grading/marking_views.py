"""The examiners' pages of skill assessment: the marking queue, the marking sheet (saved as
they go, handed in after a confirmation page), the chief examiner's arbitration and declaring a
relation. Routes on the ``skills`` blueprint of lms.grading.views."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.core import confirm, params
from lms.core.access import roles_required, visible_or_404
from lms.core.errors import DomainError
from lms.core.pagination import page_of, paginate
from lms.core.roles import Role
from lms.exams import marking as theory_marking
from lms.extensions import limiter
from lms.grading import marking as skill_marking
from lms.grading import panels, queries
from lms.grading.forms import ArbitrationForm, RelationForm
from lms.grading.models import CandidateTask, Mark, TaskStatus
from lms.grading.views import MARKING_PAGE_SIZE, SHORT_ANSWERS_SHOWN, _task, bp


def _panel_task(task_id: int) -> CandidateTask:
    """A task on one of the signed-in examiner's panels; others are not found."""
    return visible_or_404(_task(task_id), lambda task: panels.is_member(task.panel, current_user))


@bp.route("/marking")
@roles_required(Role.EXAMINER)
def marking() -> Any:
    page = page_of(queries.marking_queue(current_user), params.page_arg(), MARKING_PAGE_SIZE)
    short_answers = paginate(
        theory_marking.queue_statement(), 1, SHORT_ANSWERS_SHOWN, scalars=False
    )
    return render_template(
        "skills/marking.html",
        page=page,
        rows=page.items,
        short_answers=[theory_marking.MarkingTask(*row) for row in short_answers.items],
        short_answers_waiting=short_answers.total,
    )


def _sheet_input(task: CandidateTask) -> skill_marking.SheetInput:
    form = request.form
    points: dict[str, float | None] = {}
    for item in task.criteria:
        raw = form.get(f"p_{item['key']}", "").strip()
        try:
            points[item["key"]] = float(raw) if raw else None
        except ValueError:
            raise DomainError(
                _l("%(text)s: give 0 to %(max)s points", text=item["text"], max=item["points"])
            ) from None
    return skill_marking.SheetInput(
        points=points,
        critical=[item["key"] for item in task.critical_errors if form.get(f"c_{item['key']}")],
        comment=form.get("comment", "")[:2000],
        version=params.whole_number(form.get("version") or 0, "version", 0, params.MAX_ID),
        submit=form.get("step") == "submit",
    )


@bp.route("/marking/<int:task_id>", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def sheet(task_id: int) -> Any:
    task = _panel_task(task_id)
    mark = skill_marking.sheet_for(task, current_user) or skill_marking.blank_sheet(
        task, current_user
    )
    wants_json = request.accept_mimetypes.best == "application/json"
    if request.method == "POST":
        try:
            data = _sheet_input(task)
            # Submitting from the page asks first (lms.core.confirm); the sheet is saved as it
            # stands meanwhile, so that cancelling keeps the marks typed without JavaScript.
            asking = data.submit and not wants_json and not confirm.is_confirmed(1)
            if asking:
                data.submit = False
            mark = skill_marking.save_sheet(task, current_user, data)
            if asking and mark.total is None:
                raise DomainError(_l("Mark every criterion before submitting"))
        except DomainError as error:
            if wants_json:
                return jsonify(
                    error={"code": error.code, "message": str(error.message)}
                ), error.status
            flash(error.message, "error")
            return redirect(url_for("skills.sheet", task_id=task.id))
        if wants_json:
            return jsonify(saved=True, version=mark.version, total=mark.total)
        if asking:
            return _ask_to_submit(task, mark)
        if mark.submitted_at is not None:
            flash(_l("Sheet submitted."), "success")
            return redirect(url_for("skills.marking"))
        flash(_l("Sheet saved."), "success")
        return redirect(url_for("skills.sheet", task_id=task.id))
    # Other members' marks stay hidden until every member has submitted (independent marking).
    others = [m for m in task.marks if m.examiner_id != current_user.id]
    revealed = skill_marking.all_submitted(task) or task.status != TaskStatus.MARKING
    return render_template(
        "skills/sheet.html",
        task=task,
        mark=mark,
        others=others if revealed else [],
        revealed=revealed,
        open=skill_marking.marking_open(task) and mark.submitted_at is None,
        is_chief=task.panel is not None and task.panel.chief_id == current_user.id,
        arbitration_form=ArbitrationForm(),
        consensus=skill_marking.consensus(task) if revealed else None,
        spread=skill_marking.spread(task) if revealed else None,
    )


def _ask_to_submit(task: CandidateTask, mark: Mark) -> Any:
    """The confirmation page of handing in one's sheet (blind: by admission number); its
    button posts the sheet again at the version just saved."""
    return confirm.unless_confirmed(
        title=_l("Submit marks"),
        what=_l(
            "Your marking sheet of %(task)s for admission number %(number)s, total %(total)s "
            "points, is handed in to the panel: your marks cannot be changed afterwards.",
            task=task.title,
            number=task.candidate.admission_number,
            total=f"{float(mark.total or 0):g}",
        ),
        count=1,
        button=_l("Submit marks"),
        cancel=url_for("skills.sheet", task_id=task.id),
        danger=False,
        fields={"version": mark.version},
    )


@bp.route("/marking/<int:task_id>/arbitrate", methods=["POST"])
@roles_required(Role.EXAMINER)
def arbitrate(task_id: int) -> Any:
    task = _panel_task(task_id)
    form = ArbitrationForm()
    chief = task.panel is not None and task.panel.chief_id == current_user.id
    return confirm.step(
        title=_l("Arbitrate the mark"),
        what=_l(
            "%(score)s becomes the final mark of %(task)s for admission number "
            "%(number)s; it can be changed afterwards only by an appeal.",
            score=form.score.data,
            task=task.title,
            number=task.candidate.admission_number,
        ),
        count=1,
        button=_l("Record the arbitrated mark"),
        cancel=url_for("skills.sheet", task_id=task.id),
        form=form,
        invalid=_l("Give the mark and the reason."),
        ask=task.status == TaskStatus.ARBITRATION and chief,
        act=lambda: skill_marking.arbitrate(
            task, current_user, float(form.score.data or 0), form.reason.data or ""
        ),
        done=_l("Arbitrated mark recorded."),
        danger=False,
        flash_errors=False,
    )


#: Declarations per examiner: a handful in a career; a stream of them is somebody probing.
RELATION_LIMIT = "10 per hour"


def _examiner_key() -> str:
    return f"examiner:{current_user.get_id()}"


@bp.route("/relations", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
@limiter.limit(RELATION_LIMIT, key_func=_examiner_key, methods=["POST"])
def relations() -> Any:
    """Declare a relation by ID number. The answer is the same whether or not anybody holds
    the number (it would otherwise tell who is a trainee here, and their name); the match is
    made when panels are assigned."""
    form = RelationForm()
    if form.validate_on_submit():
        try:
            panels.declare_relation(current_user, form.id_number.data or "", form.note.data or "")
        except DomainError as error:  # the number itself is malformed: nothing about anybody
            form.id_number.errors = [error.message]
        else:
            flash(
                _l("Declared. Whoever holds this ID number will not be given to you to mark."),
                "success",
            )
            return redirect(url_for("skills.relations"))
    return render_template(
        "skills/relations.html", form=form, relations=queries.relations(current_user)
    )
