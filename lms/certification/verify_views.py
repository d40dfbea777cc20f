"""Public certificate verification: the QR code's target, the look-up form, the verification
JSON and the keys offline checkers use. Anyone may call these (rate-limited)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.api import openapi
from lms.certification import badges, services, signing, verification
from lms.certification.blueprint import bp
from lms.core.access import public
from lms.extensions import limiter

VERIFY_LIMIT = "30 per minute"
#: One budget for the page, the look-up and the API: each answers a name guess for a number,
#: so separate limits would multiply the guesses an address may make.
verify_limit = limiter.shared_limit(VERIFY_LIMIT, scope="verify")


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(22, 22)])
    name = StringField(_l("Holder's name"), validators=[Optional(), Length(max=50)])


class HolderForm(FlaskForm):
    """The verification page's question for the holder's name (GET: nothing is changed)."""

    class Meta:
        csrf = False

    name = StringField(_l("Holder's name"), validators=[Length(max=50)])


@bp.route("/verify/<number>")
@public
@verify_limit
def verify(number: str) -> Any:
    """The QR code's target: what the certificate is; who holds it only with the QR code's
    signed claims (``s``) or the holder's name typed in (``name``)."""
    certificate = services.by_number(number)
    if certificate is None:
        return render_template("certificates/verify.html", seen=None, number=number), 404
    seen = verification.verify(
        certificate, name=request.args.get("name"), signed=request.args.get("s")
    )
    form = HolderForm(request.args)
    if seen.name_mismatch:
        form.name.data = ""  # the answer to a wrong name is the bare number's, word for word
    return render_template(
        "certificates/verify.html",
        seen=seen,
        record=seen.record(),
        number=number,
        form=form,
    )


@bp.route("/verify/jwks.json")
@public
def jwks() -> Any:
    """The same key as a JSON Web Key Set, for checking Open Badges credentials (VC-JWT)."""
    return jsonify(keys=[badges.public_jwk()])


@bp.route("/verify/public-key.pem")
@public
def public_key() -> Response:
    """The Ed25519 key that signs the claims in certificates' QR codes, for offline checkers."""
    return Response(signing.public_key_pem(), mimetype="application/x-pem-file")


@bp.route("/api/v1/certificates/<number>")
@public
@verify_limit
def api_certificate(number: str) -> Any:
    """The verification page's fields as JSON, for the city's platform and offline checkers."""
    problem = openapi.parameter_problem(
        openapi.operation_at("/certificates/{number}"), request.args
    )
    if problem is not None:
        return jsonify(error={"code": "invalid_parameter", "message": str(problem)}), 400
    certificate = services.by_number(number)
    if certificate is None:
        return jsonify(error={"code": "not_found", "message": "no such certificate"}), 404
    seen = verification.verify(
        certificate, name=request.args.get("name"), signed=request.args.get("s")
    )
    return jsonify(seen.json())


@bp.route("/verify")
@public
@verify_limit
def lookup() -> Any:
    """The look-up form: a number alone confirms what the certificate is, the number with the
    holder's name shows who holds it (as the national look-up does)."""
    form = LookupForm(request.args)
    seen, searched = None, bool(request.args)
    if searched and form.validate():
        found = services.by_number((form.number.data or "").strip().upper())
        if found is not None:
            seen = verification.verify(found, name=form.name.data)
            if seen.name_mismatch:
                form.name.data = ""
    return render_template(
        "certificates/lookup.html",
        form=form,
        seen=seen,
        record=seen.record() if seen else None,
        searched=searched,
    )
