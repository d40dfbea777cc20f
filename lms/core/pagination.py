"""Pagination and sorting of ``select()`` statements: the one home of how lists page and sort
(``paginate``, ``sorted_by``; the templates' ``pager`` and ``sort_header`` macros)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms.core.params import BadParameter
from lms.db import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    statement: Select[Any], page: int, per_page: int, *, scalars: bool = True
) -> Page[Any]:
    """Run one page of ``statement`` and count its rows.

    A page number past the end (an edited link, ``page=10**20``) shows the last page: the offset
    never exceeds the row count, so it cannot overflow the database's integers."""
    total = (
        db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        or 0
    )
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    paged = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars()) if scalars else list(result.all())
    return Page(items=items, total=total, page=page, per_page=per_page)


def page_of(items: list[T], page: int, per_page: int) -> Page[T]:
    """One page of a list already in memory, the page number brought within the list."""
    page = min(max(page, 1), max(1, math.ceil(len(items) / per_page)))
    return Page(items[(page - 1) * per_page : page * per_page], len(items), page, per_page)


def sorted_by(
    statement: Select[Any],
    orders: Mapping[str, Sequence[Any]],
    default: str,
    *,
    name: str = "sort",
) -> tuple[Select[Any], str]:
    """``statement`` ordered as the address asks (``sort=key``, or ``sort=-key`` for the
    reverse) among ``orders`` (key → columns), and the key in force; ``default`` when absent.
    An unknown key is a ``BadParameter`` (400), never an arbitrary ORDER BY. Columns after the
    first break ties; lists end on a unique column so pages never overlap. Empty values come
    last either way, on SQLite as on PostgreSQL (whose defaults differ)."""
    raw = (request.args.get(name) or default).strip()
    key = raw.removeprefix("-")
    if key not in orders:
        raise BadParameter(_l("%(name)s: unknown sort order", name=name))
    reverse = raw.startswith("-")
    columns = [(column.desc() if reverse else column.asc()).nulls_last() for column in orders[key]]
    return statement.order_by(None).order_by(*columns), raw
