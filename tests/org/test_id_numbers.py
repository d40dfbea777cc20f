"""Full ID numbers are decrypted in one place, lms.org.services, which checks and audits."""

from __future__ import annotations

import re
from pathlib import Path

import lms

ROOT = Path(lms.__file__).parent


def test_only_org_services_decrypts_id_numbers():
    decrypting = re.compile(r"\.decrypt\(")
    outside = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).as_posix() not in {"org/services.py", "core/crypto.py"}
        and decrypting.search(path.read_text(encoding="utf-8"))
    )
    assert outside == []
