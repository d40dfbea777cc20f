"""The courses/ file form of the questions and practical tasks edited in the browser.

A draft is checked by writing it as its file writes it and reading that text back with the
readers ``lms courses check`` and sync use (lms.content): the same problems, the same messages.
``lms courses export`` writes a published version with the same functions, so what was
checked is what the file says, and reading the file back gives the live values again."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select

from lms.content.reader import Reader
from lms.content.sources import ContentFile
from lms.content.specs import Catalog
from lms.db import db

ROOT = Path("courses")


class TextReader(Reader):
    """A reader of texts held in memory (a draft, the files as last loaded) by their path."""

    def __init__(self, texts: dict[str, str] | None = None) -> None:
        super().__init__(ROOT)
        self.texts = dict(texts or {})

    def load_yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> Any:
        if text is None:
            text = self.texts.get(path.as_posix(), "")
        return super().load_yaml(path, text, first_line)


def stored_text(relative: str) -> str | None:
    """A file of courses/ as last loaded (``baoyushi-l5/tasks/x.yaml``), or None."""
    data = db.session.scalar(select(ContentFile.data).where(ContentFile.path == relative))
    return data.decode("utf-8") if data is not None else None


def catalog() -> Catalog:
    """The shared vocabulary (levels, work areas, difficulties) of the content as last loaded;
    the configured courses/ folder's when nothing was loaded yet."""
    from lms.content.courses import _read_catalog
    from lms.content.courses import catalog as folder_catalog

    text = stored_text("catalog.yaml")
    if text is None:
        return folder_catalog(current_app.config["COURSES_ROOT"])
    path = ROOT / "catalog.yaml"
    return _read_catalog(TextReader({path.as_posix(): text}), path)


def scalar(value: Any) -> str:
    """``value`` as one line of YAML in the files' style (plain when it can be)."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML scalar
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1 << 20)
    return text.removesuffix("\n...\n").rstrip("\n")


@dataclass
class Writer:
    """Lines of a YAML text with, for each line, what it is to the person editing the form
    (a field's label), so a problem the reader reports at a line can name the field."""

    lines: list[str] = field(default_factory=list)
    where: dict[int, Any] = field(default_factory=dict)

    def add(self, line: str, label: Any) -> None:
        self.lines.append(line)
        self.where[len(self.lines)] = label

    def extend(self, lines: Iterable[str], label: Any) -> None:
        for line in lines:
            self.add(line, label)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def label(self, line: int, default: Any) -> Any:
        return self.where.get(line, default)
