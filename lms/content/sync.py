"""Loading checked content into the database, idempotently, kind by kind.

Edited items are updated in place; items removed from courses/ are retired, never deleted, so
learners' progress and exam history keep pointing at them. Each kind's loader is registered by
the feature that owns its tables (see ``lms.content.kinds``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from lms.content import kinds, sources
from lms.content.specs import Content
from lms.db import utcnow


def sync_content(content: Content) -> Counter[str]:
    """Bring the database in line with ``content`` (already checked) and report the changes
    as "<kind>.created/updated/retired/unchanged" counts. Refuses (KindsNotRegistered) when a
    kind has no loader, rather than leaving that kind out."""
    report: Counter[str] = Counter()
    for kind in kinds.require_all():
        kind.load(content, report)
    if content.root is not None:
        report["files.changed"] = sources.remember(content.root)
    return report


def apply_values(row: Any, values: dict[str, Any]) -> bool:
    """Set changed attributes; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def count(report: Counter[str], kind: str, created: bool, changed: bool) -> None:
    report[f"{kind}.{'created' if created else 'updated' if changed else 'unchanged'}"] += 1


def retire_unlisted(
    rows: Mapping[str, Any], listed: Collection[str], report: Counter[str], kind: str
) -> None:
    """Retire the rows (by key) that courses/ no longer lists: set ``retired_at``, never delete,
    so what refers to them (progress, drawn papers and tasks) keeps its history."""
    now = utcnow()
    for key, row in rows.items():
        if key not in listed and row.retired_at is None:
            row.retired_at = now
            report[f"{kind}.retired"] += 1
