"""Every ``lms`` command fails the same way: a Chinese message on stderr, exit status 1."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.db import db
from tests.conftest import zh
from tests.factories import TEST_PASSWORD

LMS = Path(__file__).resolve().parents[2] / "lms"


def _create(app, *options, password=TEST_PASSWORD):
    return CliRunner().invoke(
        app.cli, ["users", "create", *options], input=password + "\n", catch_exceptions=False
    )


def test_a_refused_command_says_why_in_chinese_on_stderr_and_exits_1(app):
    users = db.session.scalar(select(func.count(User.id)))
    unknown = _create(app, "--role", "district_admin", "--username", "u1", "--district", "无此区")
    assert unknown.exit_code == 1
    reason = zh("No district %(district)s", district="无此区")
    assert unknown.stderr == f"错误：{reason}\n"
    assert unknown.stdout == ""
    weak = _create(app, "--role", "examiner", "--username", "u2", password="12345678")
    assert weak.exit_code == 1
    assert weak.stderr.startswith("错误：") and weak.stdout == ""
    assert db.session.scalar(select(func.count(User.id))) == users


def test_no_command_exits_by_hand():
    """Commands stop through lms.core.cli (CommandError or fail), never sys.exit."""
    offenders = []
    for path in [LMS / "cli.py", *(p for p in LMS.glob("*/cli.py") if p.parent.name != "core")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"exit", "ClickException"}:
                offenders.append(f"{path.relative_to(LMS.parent)}:{node.lineno}")
    assert not offenders, offenders
