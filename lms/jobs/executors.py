"""Where jobs run. In-process (the default): a thread of the process that submitted the job
plans it, and its parts go to a pool of JOB_WORKERS processes. Celery (when LMS_REDIS_URL is
set): the plan and every part are tasks on the Redis queue, done by whichever workers run."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context
from typing import Any, Protocol

from flask import Flask

from lms.jobs import services

log = logging.getLogger(__name__)


class Executor(Protocol):
    def dispatch(self, app: Flask, job_id: int) -> None: ...


def executor_for(app: Flask) -> Executor:
    if app.config.get("REDIS_URL"):
        return CeleryExecutor(app.config["REDIS_URL"], app.config["CELERY_QUEUE"])
    return InProcessExecutor()


def settings_of(app: Flask) -> dict[str, Any]:
    """What a worker process needs to build the same application."""
    return dict(app.extensions["lms_settings"])


class InProcessExecutor:
    def dispatch(self, app: Flask, job_id: int) -> None:
        threading.Thread(
            target=run_in_process, args=(app, job_id), name=f"lms-job-{job_id}", daemon=False
        ).start()


def run_in_process(app: Flask, job_id: int) -> None:
    """Plan the job, do its parts (in worker processes when there are several), finish it."""
    with app.app_context():
        try:
            parts = services.plan(job_id)
            workers = min(app.config["JOB_WORKERS"], len(parts))
            if workers <= 1:
                for part in parts:
                    services.run_part(job_id, part)
            else:
                # Spawned, not forked: a fork would share the parent's database connections.
                with ProcessPoolExecutor(
                    workers,
                    mp_context=get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(settings_of(app),),
                ) as pool:
                    for future in [pool.submit(_run_part, job_id, part) for part in parts]:
                        future.result()
            services.complete(job_id)
        except Exception:
            log.exception("job %s failed", job_id)


_worker_app: Flask | None = None


def _init_worker(settings: dict[str, Any]) -> None:
    global _worker_app
    from lms import create_app

    _worker_app = create_app(settings)


def _run_part(job_id: int, part: list[int]) -> None:
    assert _worker_app is not None
    with _worker_app.app_context():
        services.run_part(job_id, part)


class CeleryExecutor:
    def __init__(self, broker_url: str, queue: str) -> None:
        self.broker_url, self.queue = broker_url, queue

    def dispatch(self, app: Flask, job_id: int) -> None:
        celery_client(self.broker_url, self.queue).send_task(
            "lms.jobs.plan", args=[job_id], queue=self.queue
        )


@cache
def celery_client(broker_url: str, queue: str) -> Any:
    from lms.jobs.celery import make_celery

    return make_celery(broker_url, queue)
