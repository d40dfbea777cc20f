"""The Celery application: Redis as the broker, no result backend (progress lives in the
jobs table). Tasks are acknowledged after they ran, one at a time per worker process, so a
worker that dies hands its task back rather than losing it."""

from __future__ import annotations

from celery import Celery


def make_celery(broker_url: str, queue: str) -> Celery:
    celery = Celery("lms", broker=broker_url)
    celery.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return celery
