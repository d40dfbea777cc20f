"""Every registry is filled explicitly by lms.registries.register_all (create_app calls it),
never by importing a module; content read or loaded without it refuses loudly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from sqlalchemy import event
from sqlalchemy.orm import Session

from lms import registries
from lms.config import PROJECT_ROOT
from lms.content import kinds
from lms.exams import question_types
from lms.jobs import registry as jobs
from lms.reports import cache


def _holdings() -> dict[str, object]:
    return {
        "question_types": {
            key: type(kind).__name__ for key, kind in question_types.REGISTRY.items()
        },
        "content_kinds": [
            (kind.name, kind.load.__module__ + "." + kind.load.__name__)
            for kind in kinds.KINDS.values()
        ],
        "job_kinds": {name: type(kind).__name__ for name, kind in jobs.KINDS.items()},
        "session_listeners": [
            name for name, listener in cache._LISTENERS if event.contains(Session, name, listener)
        ],
    }


EXPECTED = {
    "question_types": {
        "single": "SingleChoice",
        "multiple": "MultipleChoice",
        "truefalse": "TrueFalse",
        "short": "ShortAnswer",
    },
    "content_kinds": [
        ("lesson", "lms.learning.sync.load_courses"),
        ("question", "lms.exams.bank.load_questions"),
        ("blueprint", "lms.exams.bank.load_blueprints"),
        ("task", "lms.grading.tasks.load_tasks"),
        ("practice", "lms.learning.practice.load_practice"),
    ],
    "job_kinds": {
        "certificates.issue": "IssueCertificates",
        "media.rendition": "MakeRendition",
        "media.transcode": "MakePlayable",
        "roster.import": "ImportRoster",
    },
    "session_listeners": [
        "before_flush",
        "after_flush",
        "do_orm_execute",
        "before_commit",
        "after_rollback",
    ],
}


def test_after_create_app_each_registry_holds_exactly_its_entries(app):
    assert _holdings() == EXPECTED
    validators = {name: kind.validate for name, kind in kinds.KINDS.items()}
    assert validators["lesson"] is None and validators["task"] is None
    assert validators["question"].__name__ == "validate_questions"
    assert validators["blueprint"].__name__ == "validate_blueprints"


def test_registering_again_changes_nothing(app):
    registries.register_all()
    registries.register_all()
    assert _holdings() == EXPECTED


def _run(script: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_module_fills_no_registry():
    """A fresh interpreter imports the views, jobs and loaders: the registries stay empty."""
    result = _run("""
        import json, pkgutil, importlib
        import lms
        for module in pkgutil.walk_packages(lms.__path__, "lms."):
            if module.name not in {"lms.wsgi", "lms.jobs.worker"}:  # these build an app
                importlib.import_module(module.name)
        from lms.content import kinds
        from lms.exams import question_types
        from lms.jobs import registry
        from lms.reports import cache
        from sqlalchemy import event
        from sqlalchemy.orm import Session
        listeners = [event.contains(Session, name, fn) for name, fn in cache._LISTENERS]
        print(json.dumps([len(question_types.REGISTRY), len(kinds.KINDS), len(registry.KINDS),
                          any(listeners)]))
    """)
    assert result == [0, 0, 0, False]


def test_a_script_without_create_app_is_refused_loudly_then_syncs_everything(tmp_path):
    """The old failure: sync_content without create_app loaded lessons and silently skipped
    the questions (their loader was registered by importing a view)."""
    result = _run(
        """
        import json
        import sys
        from pathlib import Path
        from flask import Flask
        from sqlalchemy import func, select
        from lms.content.courses import load_content
        from lms.content.kinds import KindsNotRegistered
        from lms.content.specs import Content
        from lms.content.sync import sync_content
        from lms.db import db

        refused = []
        for attempt in (lambda: load_content(Path("courses")), lambda: sync_content(Content())):
            try:
                attempt()
            except KindsNotRegistered as error:
                refused.append(str(error))

        from lms.registries import register_all
        from lms.models import metadata, Question, Lesson, PracticalTask, Blueprint

        register_all()
        app = Flask("script")
        app.config["DATABASE_URL"] = "sqlite:///" + sys.argv[1]
        db.init_app(app)
        with app.app_context():
            metadata.create_all(db.engine)
            content, problems = load_content(Path("courses"))
            report = sync_content(content)
            db.session.commit()
            counts = {
                model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Lesson, Question, Blueprint, PracticalTask)
            }
        files = {
            "Lesson": sum(len(c.lessons) for c in content.courses),
            "Question": len(content.questions),
            "Blueprint": len(content.blueprints),
            "PracticalTask": len({t.code for c in content.courses for t in c.tasks}),
        }
        print(json.dumps({"refused": refused, "problems": len(problems), "counts": counts,
                          "files": files}))
    """,
        str(tmp_path / "script.sqlite3"),
    )
    assert len(result["refused"]) == 2
    assert all("register_all" in message for message in result["refused"])
    assert result["problems"] == 0
    assert result["counts"] == result["files"]
    assert all(count > 0 for count in result["counts"].values())
