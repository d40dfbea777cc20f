"""A job's progress: a page with a progress bar, and the same as JSON for the page to poll."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from lms.core.access import get_visible, roles_required
from lms.core.roles import Role
from lms.jobs import services
from lms.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job(job_id: int) -> Job:
    return get_visible(Job, job_id, lambda _job: current_user.role == Role.CITY_ADMIN)


@bp.route("/<int:job_id>")
@roles_required(Role.CITY_ADMIN)
def show(job_id: int) -> Any:
    job = _job(job_id)
    return render_template("jobs/show.html", job=job, progress=services.progress(job))


@bp.route("/<int:job_id>.json")
@roles_required(Role.CITY_ADMIN)
def status(job_id: int) -> Any:
    return jsonify(services.progress(_job(job_id)))
