"""Every registry of the application, filled explicitly in one place.

``create_app`` calls ``register_all``; so must any entry point that reads content or runs jobs
without an application (a script calling ``lms.content.sync.sync_content``). Registering is
idempotent, and no registry is filled as a side effect of importing a module: a registry left
empty makes its users refuse loudly (``lms.content.kinds.KindsNotRegistered``, an unknown job
kind) rather than silently do less.

- question types (``lms.exams.question_types.REGISTRY``): how each type is checked, answered,
  read from the paper's form and scored;
- content kinds (``lms.content.kinds.KINDS``): the validator and loader of lessons, questions,
  blueprints, practical tasks and lessons' self-check questions in courses/;
- job kinds (``lms.jobs.registry.KINDS``): background work that can be planned and resumed;
- the session listeners that keep cached report figures fresh (``lms.reports.cache``).

The rules for combining examiners' marks (``lms.grading.rules.COMBINE_RULES``) are a constant
table, not a registry filled by other modules.
"""

from __future__ import annotations


def register_question_types() -> None:
    from lms.exams.question_types import register_question_types

    register_question_types()


def register_content_kinds() -> None:
    from lms.exams.content import register_content_kinds as exams_kinds
    from lms.grading.tasks import register_content_kind as tasks_kind
    from lms.learning.practice import register_content_kind as practice_kind
    from lms.learning.sync import register_content_kind as lessons_kind

    lessons_kind()
    exams_kinds()
    tasks_kind()
    practice_kind()


def register_job_kinds() -> None:
    from lms.certification.bulk import IssueCertificates
    from lms.content.renditions import MakePlayable, MakeRendition
    from lms.jobs.registry import register
    from lms.org.roster_uploads import ImportRoster

    register(IssueCertificates)
    register(MakeRendition)
    register(MakePlayable)
    register(ImportRoster)


def register_report_listeners() -> None:
    from lms.reports.cache import register_listeners

    register_listeners()


def register_all() -> None:
    """Fill every registry (idempotent)."""
    register_question_types()
    register_content_kinds()
    register_job_kinds()
    register_report_listeners()
