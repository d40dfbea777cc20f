"""Every action the code records has a label in the audit log's language (Chinese first)."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from lms.core.audit import ACTION_LABELS, action_label

LMS = Path(__file__).resolve().parents[2] / "lms"


def _is_record_call(node: ast.Call) -> bool:
    """``audit.record(...)`` or ``record(...)`` imported from lms.core.audit."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def recorded_actions() -> dict[str, str]:
    """action -> where it is recorded, read from every ``audit.record`` call in lms/. The action
    must be a string literal (or a choice between literals), so that this list is complete."""
    found: dict[str, str] = {}
    for path in sorted(LMS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_record_call(node):
                continue
            where = f"{path.relative_to(LMS.parent)}:{node.lineno}"
            assert node.args, f"{where}: audit.record without an action"
            action = node.args[0]
            literals = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for literal in literals:
                assert isinstance(literal, ast.Constant) and isinstance(literal.value, str), (
                    f"{where}: the action must be a string literal"
                )
                found.setdefault(literal.value, where)
    return found


def test_the_source_is_read_completely():
    actions = recorded_actions()
    # One of each way of writing the call: plain, on several lines, a choice of two.
    assert {
        "login.succeeded",
        "roster.imported",
        "skills.mark_saved",
        "skills.mark_submitted",
    } <= set(actions)
    assert len(actions) >= 50


def test_every_recorded_action_has_a_chinese_label(app):
    unlabelled = {
        action: where for action, where in recorded_actions().items() if action not in ACTION_LABELS
    }
    assert not unlabelled, f"audit actions without a label in ACTION_LABELS: {unlabelled}"
    with app.test_request_context(), force_locale("zh_CN"):
        untranslated = [
            action
            for action in recorded_actions()
            if not any("\u4e00" <= char <= "\u9fff" for char in action_label(action))
        ]
    assert not untranslated, f"labels without a Chinese translation: {untranslated}"


def test_no_label_is_left_for_an_action_nothing_records():
    stale = set(ACTION_LABELS) - set(recorded_actions())
    assert not stale, f"labels of actions no code records: {stale}"
