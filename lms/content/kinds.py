"""The registry of content kinds. ``courses/`` holds lessons, theory questions, paper
blueprints, practical tasks and the lessons' self-check questions; this package reads their
files, and the feature that owns each kind registers what it adds: a validator (checks that
need the feature, e.g. a question's type) and a loader (writing the checked items into the
feature's tables).

Filled explicitly by ``lms.registries.register_all()`` (create_app calls it), never as a side
effect of importing a module; reading or loading content with a kind missing refuses loudly
instead of silently skipping that kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.content.reader import Reader
    from lms.content.specs import Content

#: The kinds that content files hold; each must be registered before content is read or loaded.
KNOWN: tuple[str, ...] = ("lesson", "question", "blueprint", "task", "practice")

Validator = Callable[["Reader", "Content"], None]
Loader = Callable[["Content", Counter[str]], None]


@dataclass
class Report:
    """What ``lms courses check`` prints about a kind beyond the files' own problems (figures
    measured over the whole content, e.g. a bank's depth): lines in order, each one passing or
    failing; a failing line makes the check fail."""

    title: str
    entries: list[tuple[bool, str]] = field(default_factory=list)

    def ok(self, line: str) -> None:
        self.entries.append((True, line))

    def fail(self, line: str) -> None:
        self.entries.append((False, line))

    def add(self, passed: bool, line: str) -> None:
        self.entries.append((passed, line))

    @property
    def failures(self) -> list[str]:
        return [line for passed, line in self.entries if not passed]


Reporter = Callable[["Content"], list[Report]]


@dataclass(frozen=True)
class ContentKind:
    name: str
    #: Loads the checked items into the database; fills the report with "<kind>.created" etc.
    load: Loader
    #: Further checks once every file is read; reports problems through the reader and drops
    #: the items it refuses from the content.
    validate: Validator | None = None
    #: Figures over the checked content that ``lms courses check`` prints, and may fail on.
    report: Reporter | None = None


#: name -> kind, in the order loaders run (courses before what refers to them).
KINDS: dict[str, ContentKind] = {}


class KindsNotRegistered(RuntimeError):
    """Content was read or loaded before its kinds were registered."""


def register_kind(
    name: str, load: Loader, validate: Validator | None = None, report: Reporter | None = None
) -> None:
    """Register (or replace) the validator, loader and report of a content kind; idempotent."""
    if name not in KNOWN:
        raise ValueError(f"unknown content kind {name!r}; content files hold {KNOWN}")
    KINDS[name] = ContentKind(name, load, validate, report)


def require_all() -> list[ContentKind]:
    """Every known kind, registered; refuse loudly when one is missing."""
    missing = [name for name in KNOWN if name not in KINDS]
    if missing:
        raise KindsNotRegistered(
            f"content kinds not registered: {', '.join(missing)}; "
            "call lms.registries.register_all() (create_app does) before reading courses/"
        )
    return [KINDS[name] for name in KNOWN]
