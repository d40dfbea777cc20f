"""What ``lms courses check`` prints about the theory bank: each blueprint cell's depth
(``depth``) and the tells of the items (``tells``), with the figures, failing where the bank
falls short. Registered as the ``blueprint`` and ``question`` kinds' reports."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.content.kinds import Report
from lms.content.specs import Catalog, Content
from lms.exams import depth, question_types, tells
from lms.exams.draw import CellLike

#: Offending ids listed in one failure line at most; the rest are counted.
LIST_LIMIT = 40


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def describe_cell(cell: CellLike, catalog: Catalog) -> str:
    kind = question_types.REGISTRY.get(cell.question_type)
    area, difficulty = cell.work_area, cell.difficulty
    return " · ".join(
        [
            str(kind.label) if kind else cell.question_type,
            catalog.work_areas.get(area, area) if area else _("any work area"),
            catalog.difficulties.get(difficulty, difficulty) if difficulty else _("any difficulty"),
        ]
    )


def depth_reports(content: Content) -> list[Report]:
    """Per blueprint (one per level): every cell's pool, draws per paper and ratio."""
    pool = [(q.key, q.level, q.type, q.work_area, q.difficulty) for q in content.questions]
    reports = []
    for blueprint in content.blueprints:
        report = Report(
            _(
                "Bank depth, level %(level)d (%(key)s): pool ÷ questions a paper draws from it, "
                "at least %(min).0f×",
                level=blueprint.level,
                key=blueprint.key,
                min=depth.MIN_RATIO,
            )
        )
        paper = depth.paper_depth(blueprint.level, blueprint.cells, pool)
        for cell in paper.cells:
            line = _(
                "cell %(n)d %(cell)s: pool %(pool)d, draws %(draws).1f (cell %(count)d), "
                "ratio %(ratio).2f×",
                n=cell.number,
                cell=describe_cell(cell.cell, content.catalog),
                pool=cell.pool,
                draws=cell.draws,
                count=cell.cell.count,
                ratio=cell.ratio,
            )
            report.add(cell.deep_enough, line)
        report.add(
            paper.expected_overlap <= depth.MAX_OVERLAP,
            _(
                "a paper of %(n)d questions from %(pool)d; two papers are expected to share "
                "%(overlap)s of their questions (at most %(max)s)",
                n=paper.length,
                pool=paper.pool,
                overlap=_percent(paper.expected_overlap),
                max=_percent(depth.MAX_OVERLAP),
            ),
        )
        reports.append(report)
    return reports


def _ids(keys: list[str]) -> str:
    shown = ", ".join(keys[:LIST_LIMIT])
    more = len(keys) - LIST_LIMIT
    return shown + (_(" … and %(n)d more", n=more) if more > 0 else "")


def tells_reports(content: Content) -> list[Report]:
    """Per level the share of single-choice keys that are the longest option (fails above
    40%), multiple-choice lengths and true/false balance (shown); over the bank the items with
    uneven option lengths, catch-all options and near-duplicate stems (each fails)."""
    items = content.questions
    report = Report(_("Tells in the theory bank"))
    for level in sorted({item.level for item in items}, reverse=True):
        figures = tells.level_tells(level, items)
        line = _(
            "level %(level)d: the key is the longest option in %(n)d of %(total)d "
            "single-choice items (%(share)s; at most %(max)s)",
            level=level,
            n=figures.key_longest,
            total=figures.singles,
            share=_percent(figures.longest_share),
            max=_percent(tells.MAX_LONGEST_SHARE),
        )
        report.add(figures.longest_share <= tells.MAX_LONGEST_SHARE + 1e-9, line)
        report.ok(
            _(
                "level %(level)d: multiple choice, correct options %(right).1f characters on "
                "average, wrong ones %(wrong).1f; correct ones longer in %(n)d of %(total)d items",
                level=level,
                right=figures.multiple_right_mean,
                wrong=figures.multiple_wrong_mean,
                n=figures.multiple_right_longer,
                total=figures.multiples,
            )
        )
        report.ok(
            _(
                "level %(level)d: %(n)d of %(total)d true/false items are true (%(share)s; "
                "aim for %(low)s–%(high)s)",
                level=level,
                n=figures.truefalse_true,
                total=figures.truefalse,
                share=_percent(figures.true_share),
                low=_percent(tells.TRUE_SHARE_TARGET[0]),
                high=_percent(tells.TRUE_SHARE_TARGET[1]),
            )
        )
    with_options = tells.with_options(items)
    uneven = [item.key for item in with_options if tells.uneven_lengths(item)]
    rule = _(
        "options of comparable length (the longest at most %(f)s× the shortest, "
        "unless at most %(n)d characters)",
        f=tells.MAX_LENGTH_FACTOR,
        n=tells.SHORT_OPTION,
    )
    _add(report, rule, uneven)
    catch_all = [item.key for item in with_options if tells.has_catch_all(item)]
    _add(report, _("no catch-all option (以上都对, 都不对…) unless fixed: true"), catch_all)
    pairs = tells.near_duplicates(items)
    _add(
        report,
        _(
            "no near-duplicate stems (3-gram similarity ≥ %(s)s at one level, or identical)",
            s=tells.DUPLICATE_SIMILARITY,
        ),
        [f"{a} ~ {b} ({score:.2f})" for a, b, score in pairs],
    )
    return [report]


def _add(report: Report, rule: str, offending: list[str]) -> None:
    if offending:
        report.fail(
            _("%(rule)s: %(n)d found: %(ids)s", rule=rule, n=len(offending), ids=_ids(offending))
        )
    else:
        report.ok(_("%(rule)s: none", rule=rule))
