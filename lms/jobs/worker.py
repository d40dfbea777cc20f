"""Celery worker entry point: ``celery -A lms.jobs.worker worker --queues lms``.

The worker builds the application from the environment (LMS_DATABASE_URL, LMS_DATA_KEY,
LMS_REDIS_URL, …), the same as the web processes."""

from __future__ import annotations

from lms import create_app
from lms.jobs import services
from lms.jobs.celery import make_celery

flask_app = create_app()
if not flask_app.config.get("REDIS_URL"):
    raise SystemExit("LMS_REDIS_URL must be set for Celery workers")
app = celery = make_celery(flask_app.config["REDIS_URL"], flask_app.config["CELERY_QUEUE"])


@celery.task(name="lms.jobs.plan")
def plan(job_id: int) -> None:
    with flask_app.app_context():
        parts = services.plan(job_id)
        for part in parts:
            run_part.apply_async((job_id, part))
        if not parts:
            services.complete(job_id)


@celery.task(name="lms.jobs.part")
def run_part(job_id: int, part: list[int]) -> None:
    with flask_app.app_context():
        services.run_part(job_id, part)
        services.complete(job_id)
