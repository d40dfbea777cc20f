"""Reading content files while collecting ``file:line: message`` problems."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l

from lms.content.specs import Problem
from lms.content.yaml_lines import LineDict, LineLoader

KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Reader:
    """Collects problems while reading one content tree."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.lesson_keys: dict[str, str] = {}
        self.question_keys: dict[str, str] = {}
        self.task_codes: dict[str, str] = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path | str, line: int, message: Any) -> None:
        name = path if isinstance(path, str) else self.rel(path)
        self.problems.append(Problem(name, line, str(message)))

    def load_yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> Any:
        try:
            source = path.read_text(encoding="utf-8") if text is None else text
        except UnicodeDecodeError:
            self.problem(path, 1, _l("the file is not UTF-8 text"))
            return None
        try:
            data = yaml.load(source, Loader=LineLoader)  # noqa: S506 (a SafeLoader subclass)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            line = (mark.line + first_line) if mark else first_line
            self.problem(path, line, _l("YAML syntax error: %(e)s", e=error.problem))
            return None
        self._report_duplicates(path, data, first_line)
        return data

    def _report_duplicates(self, path: Path, data: Any, offset: int) -> None:
        if isinstance(data, LineDict):
            for key, line in data.key_lines.get("__duplicates__", []):  # type: ignore[union-attr]
                self.problem(path, line + offset - 1, _l("key %(k)s is given twice", k=key))
            for value in data.values():
                self._report_duplicates(path, value, offset)
        elif isinstance(data, list):
            for value in data:
                self._report_duplicates(path, value, offset)

    def require(
        self, path: Path, data: LineDict, key: str, kind: type | tuple[type, ...], offset: int = 0
    ) -> Any:
        value = data.get(key)
        if (
            value is None
            or not isinstance(value, kind)
            or (isinstance(value, str) and not value.strip())
        ):
            self.problem(path, data.line + offset, _l("%(key)s is required", key=key))
            return None
        return value
