"""Sets of per-institution counts kept in a process, and what is worked out from them.

A set of counts is replaced, not changed, when a write touches a few institutions
(lms/reports/cache.py). What was worked out from the old set (a scope's table rows, its sums per
day) is carried over by patching in the institutions that changed, where the derivation knows
how; so the first request after a change costs the few recounted institutions, not a pass over
every institution of the city."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from lms.reports import rates

T = TypeVar("T")
#: ``patch(value, before, after, changed)``: ``value`` (worked out from ``before``) brought up to
#: ``after``, which differs from ``before`` only in the counts of the ``changed`` institutions.
Patch = Callable[[Any, "Figures", "Figures", Collection[int]], Any]
#: Sets of counts kept per process (one per tuple of days asked for).
MAX_ENTRIES = 8


@dataclass(frozen=True)
class Figures:
    """The counts of every active institution on each of some days, at a revision, and what
    was worked out from them (a scope's rows, its sums), kept as long as they are."""

    revision: int
    places: tuple[rates.Place, ...]
    counts: Mapping[int, tuple[rates.Count, ...]]
    derived: dict[Hashable, tuple[Any, Patch | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def place_of(self) -> dict[int, rates.Place]:
        return {place.institution_id: place for place in self.places}

    def derive(self, key: Hashable, compute: Callable[[], T], patch: Patch | None = None) -> T:
        """``compute()``, once for these counts; ``patch`` carries it to the next counts."""
        if key not in self.derived:
            self.derived[key] = (compute(), patch)
        found: T = self.derived[key][0]
        return found

    def recounted(
        self, revision: int, counts: Mapping[int, tuple[rates.Count, ...]], changed: Collection[int]
    ) -> Figures:
        """These figures with new ``counts`` that differ in the ``changed`` institutions' only
        (the list of institutions the same), with every patchable derivation carried over."""
        after = Figures(revision, self.places, counts)
        if "place_of" in self.__dict__:
            after.__dict__["place_of"] = self.place_of
        for key, (value, patch) in list(self.derived.items()):
            if patch is not None:
                after.derived[key] = (patch(value, self, after, changed), patch)
        return after


class FigureCache:
    """The most recently used sets of counts of one application (so of one database)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, Figures] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Figures | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def keep(self, key: Hashable, figures: Figures) -> None:
        """Keep ``figures`` unless newer ones are kept already (another thread's)."""
        with self.lock:
            known = self.entries.get(key)
            if known is None or known.revision < figures.revision:
                self.entries[key] = figures
                self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)
