"""The monthly report for the commission as a PDF (WeasyPrint, the charts inline as SVG)."""

from __future__ import annotations

import calendar
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from weasyprint import HTML

from lms.core.access import Scope
from lms.reports import charts, queries


def month_end(year: int, month: int, today: date) -> date:
    """The day a month's figures are counted on: its last day, or today for the current month.
    A month not yet begun raises ValueError."""
    first = date(year, month, 1)
    if first > today:
        raise ValueError("month in the future")
    last = date(year, month, calendar.monthrange(year, month)[1])
    return min(last, today)


def render(scope: Scope, year: int, month: int, day: date, target: float) -> bytes:
    """The report of ``year``-``month`` counted on ``day`` (see month_end)."""
    districts = queries.district_counts(scope, day)
    institutions = queries.institution_counts(scope, day)
    trend = queries.trend(scope, day)
    below = sorted(
        (row for row in institutions if row.count.in_post and not row.count.meets(target)),
        key=lambda row: (-row.count.uncertified, row.name),
    )
    html = render_template(
        "reports/monthly.html",
        year=year,
        month=month,
        day=day,
        target=target,
        overall=queries.overall(scope, day),
        districts=districts,
        institutions=institutions,
        below=below[:40],
        below_total=len(below),
        trend=trend,
        district_chart=charts.rate_bars(
            _("Licensed-to-work rate by district"),
            [charts.Bar(d.name, d.count.rate) for d in districts],
            target,
        ),
        trend_chart=charts.trend_line(
            _("Licensed-to-work rate by month"),
            [(f"{point:%Y-%m}", count.rate) for point, count in trend],
            target,
        ),
        pass_rates=queries.pass_rates(scope),
    )
    return HTML(string=html).write_pdf()
