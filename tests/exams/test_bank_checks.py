"""`lms courses check` measures the theory bank (each blueprint cell's depth, the items' tells)
and `lms exams overlap` draws papers: both on small banks written for each test."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from lms.exams import depth, tells
from lms.exams.cli import paper_overlap
from lms.exams.draw import allocate
from tests.exams.bank_tree import bank_tree, single, truefalse


def stem(number: int) -> str:
    """A stem sharing no character with any other number's."""
    return "".join(chr(0x4E00 + number * 16 + i) for i in range(14)) + "？"


def tf_items(prefix: str, count: int, difficulty: str, start: int = 0) -> list[dict]:
    return [
        truefalse(f"{prefix}-{n:02d}", n % 2 == 0, difficulty, stem=stem(start + n))
        for n in range(count)
    ]


def run(app, *args: str):
    return CliRunner().invoke(app.cli, list(args))


def cell_line(output: str, number: int) -> tuple[str, list[float]]:
    """The status of blueprint cell ``number`` and its figures: number, pool, draws, the
    cell's own count, ratio (in the language of the output)."""
    for row in output.splitlines():
        status, _space, text = row.strip().partition(" ")
        figures = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
        if status in ("OK", "FAIL") and " · " in text and figures[:1] == [number]:
            return status, figures
    raise AssertionError(f"no line for cell {number} in {output}")


def test_a_cell_shares_its_pool_with_the_open_cell_drawn_after_it(app, tmp_path):
    """Two true/false cells: 2 easy, then 2 of any difficulty. The open cell also takes easy
    items, so the easy items are drawn 2 + 2 × 4/10 = 2.8 times per paper, not 2."""
    questions = tf_items("e", 6, "easy") + tf_items("m", 6, "medium", start=10)
    root = bank_tree(
        tmp_path / "courses",
        questions,
        [
            {"type": "truefalse", "difficulty": "easy", "count": 2},
            {"type": "truefalse", "count": 2},
        ],
    )
    content, problems = load_content(root)
    assert problems == []
    (blueprint,) = content.blueprints
    pool = [(q.key, q.level, q.type, q.work_area, q.difficulty) for q in content.questions]
    paper = depth.paper_depth(5, blueprint.cells, pool)
    easy, anything = paper.cells
    assert (easy.pool, round(easy.draws, 6), anything.pool, anything.draws) == (6, 2.8, 12, 4)
    assert not easy.deep_enough and anything.deep_enough

    # The real draw agrees: easy items per paper over many draws.
    rng = random.Random(7)
    drawn = Counter()
    for _ in range(4000):
        for keys in allocate(5, blueprint.cells, pool, rng):
            drawn.update(key[0] for key in keys)
    assert abs(drawn["e"] / 4000 - 2.8) < 0.05

    result = run(app, "courses", "check", "--root", str(root))
    assert result.exit_code == 1
    assert cell_line(result.output, 1) == ("FAIL", [1, 6, 2.8, 2, 2.14])
    assert cell_line(result.output, 2) == ("OK", [2, 12, 4.0, 2, 3.0])


def test_a_deep_bank_without_tells_passes_the_check(app, tmp_path):
    questions = tf_items("m", 24, "medium") + [
        single(f"s-{n}", ["甲乙丙丁", "戊己庚辛", "壬癸子丑寅"], "ABC"[n % 3], stem=stem(40 + n))
        for n in range(12)
    ]
    root = bank_tree(
        tmp_path / "courses",
        questions,
        [
            {"type": "truefalse", "difficulty": "medium", "count": 4},
            {"type": "truefalse", "count": 4},
            {"type": "single", "work_area": "daily_care", "count": 4},
        ],
    )
    result = run(app, "courses", "check", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert cell_line(result.output, 1) == ("OK", [1, 24, 8.0, 4, 3.0])
    assert cell_line(result.output, 3) == ("OK", [3, 12, 4.0, 4, 3.0])
    assert "33.3%" in result.output  # the key is the longest option in 4 of 12 items


def test_tells_are_measured_and_listed_by_item(app, tmp_path):
    longest = ["约40–60℃的温开水", "刚烧开的沸水", "冰箱里的冷水"]
    questions = [
        single("s-long-1", longest, "A", stem=stem(1)),
        single("s-long-2", longest, "A", stem=stem(2)),
        single("s-short", longest, "B", stem=stem(3)),
        single("s-tie", ["用流动水", "用盆里水", "用湿纸巾"], "C", stem=stem(4)),
        single("s-uneven", ["洗", "用流动水和洗手液按七步洗手法认真洗手", "擦"], "A", stem=stem(5)),
        single("s-catch", ["及时洗手", "按时消毒", "以上都对"], "C", stem=stem(6)),
        single(
            "s-catch-fixed", ["及时洗手", "按时消毒", "以上都对"], "C", stem=stem(7), fixed=True
        ),
        single("s-dup-a", longest, "B", stem="婴儿发热到38.5℃时，保育师首先应当怎样处理？"),
        single("s-dup-b", longest, "B", stem="婴儿发热到38.5℃时，保育师首先应该怎样处理？"),
        single(
            "s-dup-l4", longest, "B", stem="婴儿发热到38.5℃时，保育师首先应当怎样照护？", level=3
        ),
        single(
            "s-same-l4", longest, "B", stem="婴儿发热到38.5℃时，保育师首先应当怎样处理？", level=4
        ),
        truefalse("t-1", True, stem=stem(20)),
        truefalse("t-2", True, stem=stem(21)),
        truefalse("t-3", False, stem=stem(22)),
    ]
    root = bank_tree(tmp_path / "courses", questions, [{"type": "single", "count": 4}])
    content, problems = load_content(root)
    assert problems == []
    items = {q.key: q for q in content.questions}
    assert [tells.key_is_longest(items[k]) for k in ("s-long-1", "s-short", "s-tie")] == [
        True,
        False,
        True,
    ]
    figures = tells.level_tells(5, content.questions)
    # The key is the longest: s-long-1, s-long-2 and, tied, s-tie, s-catch, s-catch-fixed.
    assert (figures.singles, figures.key_longest) == (9, 5)
    assert (figures.truefalse, figures.truefalse_true) == (3, 2)
    assert [k for k, q in items.items() if tells.uneven_lengths(q)] == ["s-uneven"]
    assert [k for k, q in items.items() if tells.has_catch_all(q)] == ["s-catch"]
    pairs = {(a, b) for a, b, _score in tells.near_duplicates(content.questions)}
    # One level: alike stems; across levels: only the identical one.
    assert pairs == {("s-dup-a", "s-dup-b"), ("s-dup-a", "s-same-l4")}

    result = run(app, "courses", "check", "--root", str(root))
    assert result.exit_code == 1
    failing = [line for line in result.output.splitlines() if line.lstrip().startswith("FAIL")]
    assert any("55.6%" in line for line in failing)
    assert any("s-uneven" in line for line in failing)
    assert any("s-catch" in line and "s-catch-fixed" not in line for line in failing)
    assert any("s-dup-a ~ s-dup-b" in line for line in failing)
    assert any("66.7%" in line for line in result.output.splitlines())  # 2 of 3 true


@pytest.mark.parametrize(
    "text", ["以上都对", "以上均正确", "以上皆是", "A和B都对", "都不对", "全部正确"]
)
def test_catch_all_wordings_are_recognised(text):
    assert tells.CATCH_ALL.search(text)


@pytest.mark.parametrize("text", ["两种做法都对婴儿有害", "以上午十点为宜", "都应记录在案"])
def test_ordinary_options_are_not_catch_alls(text):
    assert not tells.CATCH_ALL.search(text)


def test_overlap_of_drawn_papers_matches_the_expected_figure(app, tmp_path):
    deep = bank_tree(
        tmp_path / "deep", tf_items("m", 24, "medium"), [{"type": "truefalse", "count": 8}]
    )
    result = run(app, "exams", "overlap", "--level", "5", "--root", str(deep), "--papers", "200")
    assert result.exit_code == 0, result.output
    mean = float(re.search(r"(\d+\.\d)%", result.output).group(1))
    assert abs(mean - 100 * 8 / 24) < 2.0

    shallow = bank_tree(
        tmp_path / "shallow", tf_items("m", 10, "medium"), [{"type": "truefalse", "count": 5}]
    )
    result = run(app, "exams", "overlap", "--level", "5", "--root", str(shallow))
    assert result.exit_code == 1
    assert "50." in result.output or "49." in result.output


def test_overlap_can_draw_from_the_bank_in_the_database(app, tmp_path):
    from lms.content.sync import sync_content

    root = bank_tree(
        tmp_path / "courses", tf_items("m", 24, "medium"), [{"type": "truefalse", "count": 4}]
    )
    content, problems = load_content(root)
    assert problems == []
    sync_content(content)
    result = run(app, "exams", "overlap", "--level", "5", "--database", "--papers", "60")
    assert result.exit_code == 0, result.output
    assert "60" in result.output and "24" in result.output


def test_the_simulated_and_expected_overlap_agree_on_overlapping_cells(app, tmp_path):
    questions = tf_items("e", 9, "easy") + tf_items("m", 15, "medium", start=10)
    root = bank_tree(
        tmp_path / "courses",
        questions,
        [
            {"type": "truefalse", "difficulty": "easy", "count": 2},
            {"type": "truefalse", "count": 3},
        ],
    )
    content, _problems = load_content(root)
    (blueprint,) = content.blueprints
    pool = [(q.key, q.level, q.type, q.work_area, q.difficulty) for q in content.questions]
    expected = depth.paper_depth(5, blueprint.cells, pool).expected_overlap
    from lms.exams.cli import BankQuestion

    bank = [
        BankQuestion(q.key, q.level, q.type, q.work_area, q.difficulty, {})
        for q in content.questions
    ]
    measured = paper_overlap(5, blueprint.cells, bank, papers=300, seed=3)
    assert abs(measured.mean - expected) < 0.02


@pytest.mark.content
def test_the_shipped_bank_is_deep_enough_and_without_tells(app):
    """Depends on the question files in courses/ (the bank rewritten for issue 18)."""
    result = run(app, "courses", "check", "--root", str(PROJECT_ROOT / "courses"))
    assert result.exit_code == 0, result.output
    for level in (5, 4, 3):
        overlap = run(app, "exams", "overlap", "--level", str(level), "--papers", "100")
        assert overlap.exit_code == 0, overlap.output


def test_an_item_with_fixed_options_keeps_their_order_on_every_paper(app, tmp_path):
    """The check lets 以上都对 stand when the item says fixed: true, so the bank must keep it
    last: the options are loaded as fixed and never shuffled."""
    from sqlalchemy import select

    from lms.content.sync import sync_content
    from lms.db import db
    from lms.exams.draw import draw
    from lms.exams.models import Question

    fixed = single("s-fixed", ["及时洗手", "按时消毒", "以上都对"], "C", stem=stem(1), fixed=True)
    loose = single("s-loose", ["甲乙丙丁", "戊己庚辛", "壬癸子丑寅"], "A", stem=stem(2))
    root = bank_tree(tmp_path / "courses", [fixed, loose], [{"type": "single", "count": 2}])
    content, problems = load_content(root)
    assert problems == []
    sync_content(content)
    rows = {q.key: q for q in db.session.scalars(select(Question))}
    assert rows["s-fixed"].fixed_options == ["A", "B", "C"] and rows["s-loose"].fixed_options == []
    orders = {
        item.question_id: tuple(item.option_order)
        for seed in range(30)
        for item in draw(5, content.blueprints[0].cells, list(rows.values()), seed)
        if item.question_id == rows["s-fixed"].id
    }
    assert set(orders.values()) == {("A", "B", "C")}


def test_fixed_must_be_true_or_false(app, tmp_path):
    item = single("s-odd", ["及时洗手", "按时消毒", "以上都对"], "C", stem=stem(1), fixed="yes")
    root = bank_tree(tmp_path / "courses", [item], [{"type": "single", "count": 1}])
    (problem,) = [str(p) for p in load_content(root)[1]]
    assert "daily.yaml" in problem
