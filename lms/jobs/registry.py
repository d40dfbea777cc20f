"""Kinds of background job. A kind plans its work and does it in parts; every part must be
idempotent (doing it twice does it once), which is what makes an interrupted job resumable."""

from __future__ import annotations

from typing import Any, ClassVar

from lms.jobs.models import Job

#: name -> kind; filled by lms.registries.register_all, not by importing the kinds' modules.
KINDS: dict[str, JobKind] = {}


class JobKind:
    name: ClassVar[str]
    title: ClassVar[Any]  # lazy string
    #: What each stage is called on the job's page.
    stage_labels: ClassVar[dict[str, Any]] = {}

    def plan(self, job: Job) -> list[list[int]]:
        """Do the job's serial work (committing as it goes) and return the parts still to do."""
        raise NotImplementedError

    def work(self, job: Job, part: list[int]) -> Any:
        """Do the slow work of one part, reading only (no write lock is held meanwhile)."""
        raise NotImplementedError

    def save(self, job: Job, work: Any) -> int:
        """Write what ``work`` produced, in the current transaction; return how many items
        it completed."""
        raise NotImplementedError

    def remaining(self, job: Job) -> int:
        """How many items are still to do (0 when the job is complete)."""
        raise NotImplementedError

    def summary(self, job: Job) -> dict[str, Any]:
        """What the finished job's page shows, merged into ``job.result``."""
        return {}


def register(kind: type[JobKind]) -> type[JobKind]:
    """Register (or replace) a kind; lms.registries.register_job_kinds registers them all."""
    KINDS[kind.name] = kind()
    return kind


def kind_of(job: Job) -> JobKind:
    """The kind of a job; ``kind:key`` names a job of that kind about one object (a roster
    upload), so that jobs about different objects may be open at the same time."""
    name = job.kind.partition(":")[0]
    if name not in KINDS:
        raise LookupError(
            f"job kind {name!r} is not registered: call lms.registries.register_all() first"
        )
    return KINDS[name]
