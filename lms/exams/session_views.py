"""Administering exam sessions: the list, setup, rooms and invigilators, candidates and
admission slips. The one-way steps are in session_steps, results, item analysis and regrading
in session_results, all on this ``exam_sessions`` blueprint."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.core import bulk, confirm, params
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.forms import options
from lms.core.localtime import from_local, to_local, utcnow
from lms.core.pagination import page_of, paginate, sorted_by
from lms.core.roles import Role
from lms.db import db
from lms.exams import queries, session_list, sessions
from lms.exams.forms import InvigilatorForm, RoomForm, SessionForm
from lms.exams.models import (
    Candidate,
    ExamRoom,
    ExamSession,
    Invigilation,
    SessionStatus,
)
from lms.org import queries as org_queries
from lms.org.models import Staff

bp = Blueprint("exam_sessions", __name__, url_prefix="/exams/sessions")
ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def _session(session_id: int) -> ExamSession:
    return get_visible(
        ExamSession, session_id, lambda found: sessions.can_manage(current_user.scope, found)
    )


@bp.route("/")
@roles_required(*ADMINS)
def index() -> Any:
    scope = current_user.scope
    level = params.int_arg("level", 0, 0, 5)
    district_id = params.id_arg("district")
    wanted = session_list.Wanted(
        text=(request.args.get("q") or "").strip()[:50],
        status=request.args.get("status", ""),
        level=level or None,
        district_id=district_id,
    )
    statement, sort = sorted_by(
        session_list.matching(scope, wanted, utcnow()),
        session_list.ORDERS,
        session_list.DEFAULT_ORDER,
    )
    page = paginate(statement, params.page_arg(), 25)
    districts = org_queries.visible_districts(scope)
    return render_template(
        "exams/sessions.html",
        page=page,
        wanted=wanted,
        sort=sort,
        statuses=session_list.statuses(),
        districts=districts if len(districts) > 1 else [],
    )


def _form(found: ExamSession | None = None) -> SessionForm:
    form = SessionForm(obj=found)
    form.blueprint_id.choices = options(
        [(b.id, b.title) for b in queries.blueprints() if b.is_active]
    )
    scope = current_user.scope
    city = [(0, _l("The whole city"))] if scope.is_city else []
    form.district_id.choices = options(
        city + [(d.id, d.name) for d in org_queries.visible_districts(scope)]
    )
    if found is not None and request.method == "GET":
        form.opens_at.data = to_local(found.opens_at)
        form.closes_at.data = to_local(found.closes_at)
        form.district_id.data = found.district_id or 0
    return form


def _data(form: SessionForm) -> sessions.SessionData:
    return sessions.SessionData(
        title=form.title.data or "",
        blueprint_id=form.blueprint_id.data,
        opens_at=from_local(form.opens_at.data),
        closes_at=from_local(form.closes_at.data),
        duration_minutes=form.duration_minutes.data,
        district_id=form.district_id.data or None,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new() -> Any:
    form = _form()
    if form.validate_on_submit():
        try:
            found = sessions.create_session(_data(form), current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("exam_sessions.detail", session_id=found.id))
    return render_template("exams/session_form.html", form=form, session=None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit(session_id: int) -> Any:
    found = _session(session_id)
    form = _form(found)
    if form.validate_on_submit():
        try:
            sessions.update_session(found, _data(form), current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("exam_sessions.detail", session_id=found.id))
    return render_template("exams/session_form.html", form=form, session=found)


@bp.route("/<int:session_id>")
@roles_required(*ADMINS)
def detail(session_id: int) -> Any:
    found = _session(session_id)
    draft = found.status == SessionStatus.DRAFT
    invigilator_form = InvigilatorForm()
    invigilator_form.user_id.choices = options(
        [
            (u.id, f"{u.display_name}（{u.role.label}）")
            for u in db.session.scalars(
                select(User)
                .where(User.role.in_(sessions.INVIGILATOR_ROLES), User.is_active)
                .order_by(User.role, User.display_name)
            )
        ]
    )
    return render_template(
        "exams/session.html",
        session=found,
        candidates=queries.candidates(found),
        problems=sessions.readiness_problems(found) if draft else [],
        pending_marks=sessions.pending_marks(found),
        room_form=RoomForm(),
        invigilator_form=invigilator_form,
        action_form=ActionForm(),
        now=utcnow(),
    )


@bp.route("/<int:session_id>/rooms", methods=["POST"])
@roles_required(*ADMINS)
def add_room(session_id: int) -> Any:
    found = _session(session_id)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            sessions.add_room(found, form.name.data or "", form.capacity.data)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("exam_sessions.detail", session_id=found.id))


def _room(found: ExamSession, room_id: int) -> ExamRoom:
    return get_visible(ExamRoom, room_id, lambda room: room.session_id == found.id)


@bp.route("/<int:session_id>/rooms/<int:room_id>/delete", methods=["POST"])
@roles_required(*ADMINS)
def remove_room(session_id: int, room_id: int) -> Any:
    found = _session(session_id)
    room = _room(found, room_id)
    return confirm.step(
        title=_l("Remove a room"),
        what=_l(
            "The room %(room)s (%(seats)d seats) and its %(n)d invigilators are taken off "
            "the session; its candidates are seated in the rooms left.",
            room=room.name,
            seats=room.capacity,
            n=len(room.invigilators),
        ),
        count=1,
        button=_l("Remove room"),
        cancel=url_for("exam_sessions.detail", session_id=found.id),
        form=ActionForm(),
        ask=found.status == SessionStatus.DRAFT,  # otherwise the service says why not
        act=lambda: sessions.remove_room(room),
    )


@bp.route("/<int:session_id>/rooms/<int:room_id>/invigilators", methods=["POST"])
@roles_required(*ADMINS)
def add_invigilator(session_id: int, room_id: int) -> Any:
    found = _session(session_id)
    room = _room(found, room_id)
    user = db.session.get(User, params.id_arg("user_id", form=True) or 0)
    if ActionForm().validate_on_submit() and user is not None:
        try:
            sessions.add_invigilator(room, user)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("exam_sessions.detail", session_id=found.id))


@bp.route("/<int:session_id>/invigilations/<int:invigilation_id>/delete", methods=["POST"])
@roles_required(*ADMINS)
def remove_invigilator(session_id: int, invigilation_id: int) -> Any:
    found = _session(session_id)
    invigilation = get_visible(
        Invigilation, invigilation_id, lambda found_: found_.room.session_id == found.id
    )
    room = invigilation.room
    return confirm.step(
        title=_l("Remove an invigilator"),
        what=_l(
            "%(name)s no longer invigilates room %(room)s; %(n)d invigilators are left there.",
            name=invigilation.user.display_name,
            room=room.name,
            n=len(room.invigilators) - 1,
        ),
        count=1,
        button=_l("Remove"),
        cancel=url_for("exam_sessions.detail", session_id=found.id),
        form=ActionForm(),
        ask=found.status == SessionStatus.DRAFT,  # otherwise the service says why not
        act=lambda: sessions.remove_invigilator(invigilation),
    )


#: Eligible trainees shown a page at a time (select-all-matching reaches the rest).
CANDIDATES_PAGE_SIZE = 50


def _matching_staff(people: list[Staff], text: str) -> list[Staff]:
    """Those of ``people`` whose name, institution or district contains ``text``."""
    if not text:
        return people
    return [
        staff
        for staff in people
        if text in staff.name
        or text in staff.institution.name
        or text in staff.institution.district.name
    ]


@bp.route("/<int:session_id>/candidates", methods=["GET", "POST"])
@roles_required(*ADMINS)
def candidates(session_id: int) -> Any:
    found = _session(session_id)
    eligible = sessions.eligible_staff(found)
    if current_user.role == Role.DISTRICT_ADMIN:
        eligible = [s for s in eligible if s.institution.district_id == current_user.district_id]
    source = request.form if request.method == "POST" else request.args
    text = (source.get("q") or "").strip()[:50]
    matching = _matching_staff(eligible, text)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = bulk.chosen("staff_ids", matching, lambda staff: staff.id)
        if not chosen:
            flash(_l("Nothing is selected: tick the trainees to admit first."), "error")
            return redirect(
                url_for("exam_sessions.candidates", session_id=found.id, q=text or None)
            )
        try:
            count = sessions.add_candidates(found, chosen)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("%(n)d candidates admitted.", n=count), "success")
            return redirect(url_for("exam_sessions.detail", session_id=found.id))
    page = page_of(matching, params.page_arg(), CANDIDATES_PAGE_SIZE)
    return render_template("exams/candidates.html", session=found, page=page, text=text, form=form)


@bp.route("/<int:session_id>/candidates/<int:candidate_id>/delete", methods=["POST"])
@roles_required(*ADMINS)
def remove_candidate(session_id: int, candidate_id: int) -> Any:
    found = _session(session_id)
    candidate = get_visible(Candidate, candidate_id, lambda found_: found_.session_id == found.id)
    return confirm.step(
        title=_l("Remove a candidate"),
        what=_l(
            "%(name)s (admission number %(number)s) is taken off the session; admitted "
            "again, they may get another admission number.",
            name=candidate.staff.name,
            number=candidate.admission_number,
        ),
        count=1,
        button=_l("Remove"),
        cancel=url_for("exam_sessions.detail", session_id=found.id),
        form=ActionForm(),
        ask=found.status == SessionStatus.DRAFT,  # otherwise the service says why not
        act=lambda: sessions.remove_candidate(candidate),
    )


@bp.route("/<int:session_id>/slips")
@roles_required(*ADMINS)
def slips(session_id: int) -> Any:
    found = _session(session_id)
    return render_template("exams/slips.html", session=found, plan=sessions.seating_plan(found))


# The one-way steps (publish, close, publish results) are in session_steps, and the results,
# item analysis and regrading in session_results, on this blueprint.
from lms.exams import session_results as session_results  # noqa: E402
from lms.exams import session_steps as session_steps  # noqa: E402
