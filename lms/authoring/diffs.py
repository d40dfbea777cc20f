"""Readable differences between two versions of a piece of content (as their files write
them), for the version pages, the editor's conflicts and a sync's changes."""

from __future__ import annotations

import difflib
from typing import Any

from markupsafe import Markup, escape

from lms.authoring.base import Authored


def diff_html(
    kind: Authored, old: dict[str, Any], new: dict[str, Any], old_name: Any, new_name: Any
) -> Markup:
    """A unified diff of two documents (as their files write them) as escaped HTML lines
    marked added or removed."""
    lines = difflib.unified_diff(
        kind.text(old).splitlines(),
        kind.text(new).splitlines(),
        fromfile=str(old_name),
        tofile=str(new_name),
        lineterm="",
        n=2,
    )
    return Markup("\n").join(_diff_line(line) for line in lines)


def _diff_line(line: str) -> Markup:
    kind = {"+": "diff-add", "-": "diff-del", "@": "diff-hunk"}.get(line[:1], "diff-same")
    if line.startswith(("+++", "---")):
        kind = "diff-file"
    return Markup('<span class="{}">{}</span>').format(kind, escape(line))
