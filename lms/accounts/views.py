"""Sign-in, the home page, own account, and account administration."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import devices, passwords, policy, queries, services
from lms.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    RoleForm,
    UserForm,
    UserSearchForm,
)
from lms.accounts.models import User
from lms.core import confirm, params
from lms.core.access import ensure, public, roles_required
from lms.core.errors import DomainError
from lms.core.forms import drop_invalid_filters, options
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db, utcnow
from lms.extensions import limiter
from lms.org import queries as org_queries
from lms.web import SUPPORTED_LANGUAGES

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a fresh sign-in to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


@bp.app_context_processor
def _account_rule() -> dict[str, Any]:
    """``may_act_on_account(user)`` in every template, so no page links to an account page or
    offers an account action that the rule would refuse."""

    def may_act_on_account(target: User, action: str = "view") -> bool:
        return current_user.is_authenticated and policy.may_act_on(
            current_user._get_current_object(), target, policy.Action(action)
        )

    return {"may_act_on_account": may_act_on_account}


@bp.route("/language", methods=["POST"])
@public
def set_language() -> Any:
    """Store the chosen language in the session and go back to the page (same site only)."""
    form = LanguageForm()
    form.lang.choices = list(SUPPORTED_LANGUAGES.items())
    back = _safe_next(form.next.data)
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    if back:
        # The page again, without a ?lang= that would override the stored choice.
        parts = urlsplit(back)
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
        )
        return redirect(urlunsplit(("", "", parts.path, query, "")))
    return redirect(url_for("accounts.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            signed_in = services.authenticate(
                form.username.data or "",
                form.password.data or "",
                device_cookie=request.cookies.get(devices.COOKIE_NAME),
            )
        except services.LoginRefused as refused:
            error = refused.message
        else:
            _clear_session()  # a new session at sign-in: nothing from before carries over
            session.permanent = True
            now = utcnow().timestamp()
            session["login_at"] = session["seen"] = now
            login_user(signed_in.user)
            response = redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
            response.set_cookie(
                devices.COOKIE_NAME,
                signed_in.device_cookie,
                max_age=int(devices.LIFETIME.total_seconds()),
                path=url_for("accounts.login"),
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            return response
    return render_template("accounts/login.html", form=form, error=error)


def _clear_session() -> None:
    """Empty the session but for the language the visitor chose."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        # Every session of the account ends on the server, including copies of this cookie.
        services.end_sessions(current_user._get_current_object())
        logout_user()
        _clear_session()
        flash(_l("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/me")
@roles_required(Role.TRAINEE)
def my_record() -> Any:
    return render_template("accounts/me.html", staff=current_user.staff)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current.data, form.new.data)
        except DomainError as error:
            form.new.errors = [*form.new.errors, error.message]
        else:
            db.session.flush()
            # The session epoch changed: renew this session so that only the others end.
            login_user(current_user._get_current_object())
            flash(_l("Your password has been changed."), "success")
            return redirect(url_for("accounts.home"))
    return render_template(
        "accounts/change_password.html", form=form, min_length=passwords.MIN_LENGTH
    )


# Account administration ----------------------------------------------------------------------


def _grantable_roles() -> list[Role]:
    """Roles offered in the forms; ``policy.may_assign`` decides what is accepted."""
    if current_user.role == Role.CITY_ADMIN:
        return list(Role)
    if current_user.role == Role.DISTRICT_ADMIN:
        return [Role.INSTITUTION_MANAGER]
    return []


def _fill_scope_choices(form: UserForm | RoleForm) -> None:
    scope = current_user.scope
    form.role.choices = options([(role.value, role.label) for role in _grantable_roles()])
    form.district_id.choices = options(
        [(0, "—")]
        + [(district.id, district.name) for district in org_queries.visible_districts(scope)]
    )
    form.institution_id.choices = options(
        [(0, "—")] + [(inst.id, inst.name) for inst in org_queries.institution_choices(scope)]
    )


def _scope_links(form: UserForm | RoleForm) -> dict[str, Any]:
    district = org_queries.districts_by_id().get(form.district_id.data or 0)
    institution = org_queries.get_institution(form.institution_id.data or 0)
    return {"district": district, "institution": institution}


@bp.route("/users")
@roles_required(*ADMIN_ROLES)
def users() -> Any:
    form = UserSearchForm(request.args)
    form.role.choices = options(
        [("", _l("All roles"))] + [(role.value, role.label) for role in Role]
    )
    drop_invalid_filters(form)
    statement = queries.users(
        current_user._get_current_object(),
        text=form.q.data or "",
        role=Role(form.role.data) if form.role.data else None,
        locked_only=bool(form.locked.data),
        inactive_only=bool(form.inactive.data),
        now=utcnow(),
    )
    statement, sort = sorted_by(statement, queries.ORDERS, "role")
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "accounts/users.html",
        form=form,
        page=page,
        sort=sort,
        now=utcnow(),
        can_create=bool(_grantable_roles()),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def new_user() -> Any:
    form = UserForm()
    _fill_scope_choices(form)
    initial_password = None
    if form.validate_on_submit():
        initial_password = passwords.generate_password()
        try:
            user = services.create_user(
                username=form.username.data or "",
                password=initial_password,
                role=Role(form.role.data),
                display_name=form.display_name.data or "",
                actor_scope=current_user.scope,
                **_scope_links(form),
            )
        except DomainError as error:
            flash(error.message, "error")
            initial_password = None
        else:
            return render_template(
                "accounts/initial_password.html", user=user, password=initial_password
            )
    return render_template("accounts/user_new.html", form=form)


@bp.route("/staff/<int:staff_id>/account", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def create_trainee_account(staff_id: int) -> Any:
    staff = org_queries.visible_staff(current_user.scope, staff_id)
    ensure(policy.may_assign(current_user.scope, Role.TRAINEE, staff=staff))
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user, password = services.create_trainee_account(staff, actor_scope=current_user.scope)
    return render_template("accounts/initial_password.html", user=user, password=password)


def _target(user_id: int, action: policy.Action) -> User:
    """The account, if the current user may perform ``action`` on it; 404 otherwise."""
    return policy.target_or_404(current_user._get_current_object(), user_id, action)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def user_detail(user_id: int) -> Any:
    """The account page; its form changes the role and scope (the account's only edit)."""
    if request.method == "POST" and current_user.role not in policy.ROLE_GRANTORS:
        abort(403)
    user = _target(
        user_id, policy.Action.VIEW if request.method == "GET" else policy.Action.CHANGE_ROLE
    )
    form = RoleForm(obj=None)
    _fill_scope_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.district_id.data = user.district_id or 0
        form.institution_id.data = user.institution_id or 0
    elif form.validate_on_submit():
        try:
            services.change_role(
                user,
                role=Role(form.role.data),
                actor=current_user._get_current_object(),
                **_scope_links(form),
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("The account has been updated."), "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template(
        "accounts/user_detail.html",
        user=user,
        form=form,
        action_form=ActionForm(),
        now=utcnow(),
        can_change_role=current_user.role in policy.ROLE_GRANTORS,
    )


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def reset_password(user_id: int) -> Any:
    user = _target(user_id, policy.Action.RESET_PASSWORD)
    if not ActionForm().validate_on_submit():
        abort(400)
    asked = confirm.unless_confirmed(
        title=_l("Reset the password"),
        what=_l(
            "The password of %(name)s (%(username)s) stops working now and they are signed out "
            "everywhere; a new one-time password is shown once, to hand over.",
            name=user.display_name,
            username=user.username,
        ),
        count=1,
        button=_l("Reset password"),
        cancel=url_for("accounts.user_detail", user_id=user.id),
    )
    if asked is not None:
        return asked
    password = services.reset_password(user, actor=current_user._get_current_object())
    return render_template("accounts/initial_password.html", user=user, password=password)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def unlock_user(user_id: int) -> Any:
    user = _target(user_id, policy.Action.UNLOCK)
    if ActionForm().validate_on_submit():
        services.unlock(user, actor=current_user._get_current_object())
        flash(_l("The account has been unlocked."), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def toggle_active(user_id: int) -> Any:
    user = _target(user_id, policy.Action.SET_ACTIVE)
    # The button says which way (a repeated post cannot flip it back); none: the other way.
    wanted = request.form.get("active", "0" if user.is_active else "1") == "1"
    return confirm.step(
        title=_l("Deactivate the account"),
        what=_l(
            "%(name)s (%(username)s) can no longer sign in, and is signed out everywhere now.",
            name=user.display_name,
            username=user.username,
        ),
        count=1,
        button=_l("Deactivate"),
        cancel=url_for("accounts.user_detail", user_id=user.id),
        form=ActionForm(),
        ask=not wanted and user.is_active,
        act=lambda: services.set_active(user, wanted, actor=current_user._get_current_object()),
        done=_l("The account has been updated."),
        flash_errors=False,
    )
