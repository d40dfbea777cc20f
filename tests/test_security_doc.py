"""docs/security.md names a test for each checklist item: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_the_security_checklist_names_exists():
    checklist = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", checklist)
    assert len(named) > 30
    for path, name in named:
        source = ROOT / path
        assert source.exists(), path
        if name:
            assert re.search(rf"^def {name}\(", source.read_text(encoding="utf-8"), re.M), (
                f"{path}::{name}"
            )
