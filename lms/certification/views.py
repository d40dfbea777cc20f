"""Certificate pages: trainees' own certificates and badges, and the city administrator's
register, issuing, archive, revoking and the provincial batch report. Public verification lives
in verify_views and holder photos in photo_views; importing this module registers all of them on
the one ``certificates`` blueprint (endpoint names unchanged)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import ActionForm
from lms.certification import badges, bulk, queries, register_list, services

# The view modules sharing the blueprint, imported here explicitly so that web.py's one import of
# this module registers every certificates route.
from lms.certification import photo_views as photo_views
from lms.certification import verify_views as verify_views
from lms.certification.blueprint import bp, certificate_or_404, own_certificate
from lms.certification.models import Certificate, CertificateStatus
from lms.core import confirm, exports, idnumber, localtime, params
from lms.core.access import current_scope, roles_required
from lms.core.errors import DomainError
from lms.core.levels import level_name
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import Role
from lms.db import db
from lms.jobs.services import open_job

__all__ = ["bp", "photo_views", "verify_views"]


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ArchiveForm(FlaskForm):
    """The choice of a district or a cohort (GET; the view reads the two numbers itself)."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"))
    cohort = SelectField(_l("Cohort"))


# Trainees -------------------------------------------------------------------------------------


@bp.route("/certificates/my")
@roles_required(Role.TRAINEE)
def my_certificates() -> Any:
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.staff_id == current_user.staff_id)
        .order_by(Certificate.issued_on.desc())
    ).all()
    return render_template(
        "certificates/my.html", certificates=certificates, level_label=level_name
    )


@bp.route("/certificates/<number>.pdf")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def download(number: str) -> Response:
    certificate = own_certificate(number)
    data = services.stored_pdf(certificate)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.number}.pdf"'},
    )


# City administrators --------------------------------------------------------------------------


REGISTER_PAGE_SIZE = 50


class SearchForm(FlaskForm):
    """The register's search: posted, so that an ID number typed into it never becomes part
    of an address (the browser's history, server and proxy logs, a Referer header)."""


@bp.route("/certificates")
@roles_required(Role.CITY_ADMIN)
def index() -> Any:
    """The register: search and filters, a page at a time. An ID number is not taken from
    the address (it would already be in logs and history): the posted search takes it."""
    wanted = register_list.register_filter(request.args)
    if idnumber.looks_like(wanted.text.strip()):
        flash(_l("Search by ID number with the search form; it is not read from an address."))
        return redirect(
            url_for("certificates.index", **register_list.query_of(replace(wanted, text="")))
        )
    return _register_page(wanted)


@bp.route("/certificates/search", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def search() -> Any:
    """The search form: a name, certificate number or institution goes on to the register's
    address (a page that can be bookmarked and paged); an ID number is searched here and the
    page answers this POST, the number appearing in no address and shown masked."""
    form = SearchForm()
    if not form.validate_on_submit():
        return redirect(url_for("certificates.index"))
    wanted = register_list.register_filter(request.form)
    term = wanted.text.strip()
    if not idnumber.looks_like(term):
        sort = (request.form.get("sort") or "").strip()
        kept: dict[str, Any] = (
            {"sort": sort} if sort.removeprefix("-") in queries.REGISTER_ORDERS else {}
        )
        return redirect(url_for("certificates.index", **register_list.query_of(wanted), **kept))
    return _register_page(wanted, id_number=idnumber.mask(term.upper()))


def _register_page(wanted: queries.RegisterFilter, *, id_number: str | None = None) -> Any:
    today = localtime.today()
    # An ID-number search finds one person's certificates (one a level): one page holds them.
    number = 1 if id_number else params.page_arg()
    statement, sort = sorted_by(queries.register(wanted, today), queries.REGISTER_ORDERS, "-number")
    page = paginate(statement, number, REGISTER_PAGE_SIZE)
    # The list of those waiting for a photo searches, sorts and pages on its own (wq, wsort,
    # wpage).
    waiting_text = (request.args.get("wq") or "").strip()[:50]
    waiting, waiting_sort = sorted_by(
        register_list.waiting_for_photo(waiting_text),
        register_list.WAITING_ORDERS,
        register_list.WAITING_DEFAULT,
        name="wsort",
    )
    archive_form = ArchiveForm()
    archive_form.district.choices = [("", _l("District"))] + [
        (str(d.id), d.name) for d in queries.districts()
    ]
    archive_form.cohort.choices = [("", _l("Cohort"))] + [
        (str(c.id), c.title) for c in queries.cohorts()
    ]
    return render_template(
        "certificates/index.html",
        page=page,
        sort=sort,
        certificates=page.items,
        wanted=wanted,
        searched=bool(register_list.query_of(wanted)),
        id_number=id_number,
        search_form=SearchForm(),
        today=today,
        statuses=queries.REGISTER_STATUSES,
        districts=queries.districts(),
        cohorts=queries.cohorts(),
        eligible=services.eligible(),
        waiting=paginate(waiting, params.page_arg("wpage"), current_app.config["PAGE_SIZE"]),
        waiting_text=waiting_text,
        waiting_sort=waiting_sort,
        job=open_job(bulk.KIND),
        archive_form=archive_form,
        action_form=ActionForm(),
        revoke_form=RevokeForm(),
        level_label=level_name,
    )


@bp.route("/certificates/issue", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def issue_eligible() -> Any:
    """Start the bulk issue as a background job and show its progress."""
    count = len(services.eligible())
    return confirm.step(
        title=_l("Issue certificates"),
        what=_l(
            "%(n)d people who passed both parts of their level and have an accepted photo get "
            "a certificate with its own number; issued certificates can only be revoked.",
            n=count,
        ),
        count=count,
        cancel=url_for("certificates.index"),
        form=ActionForm(),
        act=lambda: bulk.submit(current_user),
        then=lambda job: url_for("jobs.show", job_id=job.id),
        danger=False,
        flash_errors=False,
    )


@bp.route("/certificates/archive.zip")
@roles_required(Role.CITY_ADMIN)
def archive() -> Any:
    """The valid certificates of a district and/or a cohort, as a ZIP of PDFs. Nothing chosen,
    or a choice without valid certificates, is said on the register page, not as an empty file."""
    district_id, cohort_id = params.id_arg("district"), params.id_arg("cohort")
    if district_id is None and cohort_id is None:
        flash(_l("Choose a district or a cohort to download its certificates."), "error")
        return redirect(url_for("certificates.index"))
    certificates = queries.for_archive(district_id=district_id, cohort_id=cohort_id)
    if not certificates:
        flash(_l("There are no valid certificates for this choice: no file was made."), "error")
        return redirect(url_for("certificates.index"))
    parts = [f"district-{district_id}"] if district_id else []
    parts += [f"cohort-{cohort_id}"] if cohort_id else []
    name = "certificates-" + "-".join(parts)
    return send_file(
        services.archive(certificates),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{name}.zip",
    )


@bp.route("/certificates/<number>/badge.json")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def badge(number: str) -> Response:
    """The Open Badges 3.0 credential, as JSON."""
    certificate = own_certificate(number)
    return Response(
        json.dumps(badges.credential(certificate), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{number}-badge.json"'},
    )


@bp.route("/certificates/<number>/badge.jwt")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def badge_jwt(number: str) -> Response:
    """The Open Badges 3.0 credential signed as a VC-JWT."""
    certificate = own_certificate(number)
    return Response(
        badges.signed_jwt(certificate),
        mimetype="application/vc+jwt",
        headers={"Content-Disposition": f'attachment; filename="{number}-badge.jwt"'},
    )


@bp.route("/certificates/<number>/revoke", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def revoke(number: str) -> Any:
    certificate = certificate_or_404(number)
    form = RevokeForm()
    return confirm.step(
        title=_l("Revoke certificate %(n)s", n=certificate.number),
        what=_l(
            "The certificate of %(name)s stops being valid: the public verification page "
            "says it is revoked, and it no longer counts toward the licensed-to-work rate.",
            name=certificate.staff.name,
        ),
        count=1,
        button=_l("Revoke"),
        cancel=url_for("certificates.index"),
        form=form,
        invalid=_l("Give the reason for revoking the certificate"),
        act=lambda: services.revoke(certificate, form.reason.data or ""),
        done=_l("Certificate %(n)s revoked.", n=certificate.number),
        flash_errors=False,
    )


@bp.route("/certificates/<number>/reissue", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def reissue(number: str) -> Any:
    certificate = certificate_or_404(number)
    return confirm.step(
        title=_l("Reissue certificate %(n)s", n=certificate.number),
        what=_l(
            "The certificate of %(name)s is issued again with the same number, for a "
            "lost copy: the new PDF says it is reissue %(count)d, and the reissue goes "
            "into the report to the provincial platform.",
            name=certificate.staff.name,
            count=certificate.reissue_count + 1,
        ),
        count=1,
        button=_l("Reissue (lost)"),
        cancel=url_for("certificates.index"),
        form=ActionForm(),
        ask=certificate.status != CertificateStatus.REVOKED,
        act=lambda: services.reissue(certificate),
        done=_l("Certificate %(n)s reissued.", n=certificate.number),
        danger=False,
        flash_errors=False,
    )


# The provincial platform's batch ----------------------------------------------------------------


def _report_range() -> tuple[Any, Any]:
    """The report's dates: this month so far unless asked (bounded, see lms.core.params)."""
    today = localtime.today()
    start = params.date_arg("from", today.replace(day=1))
    end = params.date_arg("to", today)
    assert start is not None and end is not None
    return start, end


@bp.route("/certificates/report")
@roles_required(Role.CITY_ADMIN)
def report_page() -> Any:
    """What a date range's batch holds, with its downloads and the holders without a photo."""
    from lms.certification import report

    start, end = _report_range()
    batch, problem = None, None
    try:
        batch = report.batch(start, end)
    except DomainError as error:
        problem = error.message
    return render_template(
        "certificates/report.html",
        start=start,
        end=end,
        batch=batch,
        problem=problem,
        labels=report.EVENT_LABELS,
        level_label=level_name,
    )


@bp.route("/certificates/report/<kind>")
@roles_required(Role.CITY_ADMIN)
def report_download(kind: str) -> Any:
    """The batch's table (CSV or XLSX, full ID numbers, audited) or its photos (ZIP)."""
    from lms.certification import report

    if kind not in ("csv", "xlsx", "zip"):
        abort(404)
    start, end = _report_range()
    try:
        batch = report.batch(start, end)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("certificates.report_page"))
    if not batch.entries:
        flash(
            _l("Nothing was issued, reissued or revoked in these dates: no file was made."), "error"
        )
        return redirect(url_for("certificates.report_page", **{"from": start, "to": end}))
    name = report.base_name(batch)
    if kind == "zip":
        try:
            photos = report.photos_zip(batch)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("certificates.report_page", **{"from": start, "to": end}))
        return Response(
            photos,
            mimetype="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}-photos.zip"'},
        )
    return Response(
        report.tables(batch, current_scope(), [kind])[kind],
        mimetype=exports.FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )
