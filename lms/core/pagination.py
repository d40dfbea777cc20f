"""Pagination of ``select()`` statements."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

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
