"""Pages where administrators create, list and revoke API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from lms.accounts import policy
from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.api import services
from lms.api.models import ApiToken
from lms.core import params
from lms.core.access import get_visible, roles_required
from lms.core.confirm import step
from lms.core.errors import DomainError
from lms.core.forms import options
from lms.core.pagination import Page, paginate, sorted_by
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.org.models import District

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens")
MANAGERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


class TokenForm(FlaskForm):
    name = StringField(_l("Used by"), validators=[DataRequired(), Length(max=100)])
    district_id = SelectField(_l("Covers"), coerce=int)
    days = IntegerField(
        _l("Valid for (days)"), default=90, validators=[DataRequired(), NumberRange(1, 366)]
    )


def _form() -> TokenForm:
    form = TokenForm()
    if current_user.role == Role.CITY_ADMIN:
        districts = db.session.scalars(select(District).order_by(District.position))
        form.district_id.choices = options(
            [(0, _l("The whole city"))] + [(d.id, d.name) for d in districts]
        )
    else:
        district = db.session.get(District, current_user.district_id)
        form.district_id.choices = options([(district.id, district.name)] if district else [])
    return form


def _tokens_of_accounts_i_may_act_on() -> Any:
    """A token acts for the account that created it: one sees and revokes one's own tokens and
    those of accounts the account rule lets one act on (``policy.Action.TOKENS``)."""
    actor = current_user._get_current_object()
    creators = select(User.id).where(policy.actable_clause(actor))
    return or_(ApiToken.created_by_id == actor.id, ApiToken.created_by_id.in_(creators))


def _may_manage(token: ApiToken) -> bool:
    actor = current_user._get_current_object()
    creator = db.session.get(User, token.created_by_id)
    return token.created_by_id == actor.id or (
        creator is not None and policy.may_act_on(actor, creator, policy.Action.TOKENS)
    )


#: The list's sort orders (lms.core.pagination.sorted_by); newest first by default.
ORDERS: dict[str, tuple[Any, ...]] = {
    "created": (ApiToken.created_at, ApiToken.id),
    "name": (ApiToken.name, ApiToken.id),
    "expires": (ApiToken.expires_at, ApiToken.id),
    "used": (ApiToken.last_used_at.is_(None), ApiToken.last_used_at, ApiToken.id),
}
#: The status filter's choices (``status=``): what each keeps, as of now.
STATUSES = ("active", "expired", "revoked")
PAGE_SIZE = 25


def _status_clause(status: str, now: Any) -> Any:
    if status == "active":
        return ApiToken.revoked_at.is_(None) & (ApiToken.expires_at > now)
    if status == "expired":
        return ApiToken.revoked_at.is_(None) & (ApiToken.expires_at <= now)
    return ApiToken.revoked_at.is_not(None)


def _visible_tokens() -> tuple[Page[ApiToken], dict[str, Any]]:
    """One page of the tokens this user sees, searched, filtered and sorted as the address asks,
    and the filter in force (for the page's form)."""
    text = (request.args.get("q") or "").strip()[:50]
    status = request.args.get("status", "")
    statement = select(ApiToken).where(_tokens_of_accounts_i_may_act_on())
    if text:
        statement = statement.where(ApiToken.name.contains(text, autoescape=True))
    if status in STATUSES:
        statement = statement.where(_status_clause(status, utcnow()))
    statement, sort = sorted_by(statement, ORDERS, "-created")
    page = paginate(statement, params.page_arg(), PAGE_SIZE)
    return page, {"text": text, "status": status if status in STATUSES else "", "sort": sort}


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Any:
    page, wanted = _visible_tokens()
    return render_template(
        "api/tokens.html",
        form=form,
        page=page,
        tokens=page.items,
        wanted=wanted,
        sort=wanted["sort"],
        statuses=STATUSES,
        secret=secret,
        now=utcnow(),
        action_form=ActionForm(),
    ), status


@bp.route("", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def index() -> Any:
    form = _form()
    if form.validate_on_submit():
        try:
            secret, _token = services.create_token(
                current_user,
                form.name.data or "",
                form.district_id.data or None,
                form.days.data or 0,
            )
        except DomainError as error:
            flash(error.message, "error")
            return _page(form, status=400)
        # Shown on this response only: it is not stored anywhere it could be read again.
        return _page(_form(), secret=secret)
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@roles_required(*MANAGERS)
def revoke(token_id: int) -> Any:
    token = get_visible(ApiToken, token_id, _may_manage)
    return step(
        title=_l("Revoke an API token"),
        what=_l(
            "The token %(prefix)s… used by %(name)s stops opening the API at once: the "
            "systems using it lose access, and it can never be used again.",
            prefix=token.prefix,
            name=token.name,
        ),
        count=1,
        button=_l("Revoke"),
        cancel=url_for("api_tokens.index"),
        form=ActionForm(),
        ask=token.revoked_at is None,
        act=lambda: services.revoke(token, current_user),
        done=_l("Token revoked: it no longer opens the API."),
    )
