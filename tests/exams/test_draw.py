from dataclasses import dataclass

import pytest

from lms.exams.draw import Shortfall, allocate, draw


@dataclass
class Cell:
    question_type: str
    work_area: str | None
    difficulty: str | None
    count: int
    points: float


@dataclass
class Q:
    id: int
    level: int
    type: str
    work_area: str
    difficulty: str
    options: dict


def bank():
    questions, number = [], 0
    for kind in ("single", "multiple", "truefalse"):
        for area in ("ethics", "daily_care"):
            for difficulty in ("easy", "medium", "hard"):
                for _ in range(3):
                    number += 1
                    options = (
                        {} if kind == "truefalse" else {"A": "1", "B": "2", "C": "3", "D": "4"}
                    )
                    questions.append(Q(number, 5, kind, area, difficulty, options))
    return questions


CELLS = [
    Cell("single", "ethics", "easy", 2, 5),
    Cell("single", None, None, 6, 5),
    Cell("multiple", None, "hard", 3, 10),
    Cell("truefalse", None, None, 5, 6),
]


def test_the_same_seed_draws_the_same_paper_and_another_seed_another():
    questions = bank()
    first, again = draw(5, CELLS, questions, seed=7), draw(5, CELLS, questions, seed=7)
    assert first == again
    others = [draw(5, CELLS, questions, seed=seed) for seed in range(8, 13)]
    assert any([i.question_id for i in other] != [i.question_id for i in first] for other in others)
    assert any(
        [i.option_order for i in other] != [i.option_order for i in first] for other in others
    )


def test_paper_follows_the_blueprint_and_groups_types():
    questions = {q.id: q for q in bank()}
    paper = draw(5, CELLS, list(questions.values()), seed=3)
    assert len(paper) == 16 and len({item.question_id for item in paper}) == 16
    assert sum(item.points for item in paper) == 100
    types = [questions[item.question_id].type for item in paper]
    assert types == ["single"] * 8 + ["multiple"] * 3 + ["truefalse"] * 5
    ethics_easy = [
        i
        for i in paper
        if questions[i.question_id].work_area == "ethics"
        and questions[i.question_id].difficulty == "easy"
        and i.points == 5
    ]
    assert len(ethics_easy) >= 2
    for item in paper:
        options = questions[item.question_id].options
        assert sorted(item.option_order) == sorted(options)


def test_specific_cells_are_filled_before_open_ones():
    questions = [Q(1, 5, "single", "ethics", "easy", {}), Q(2, 5, "single", "basics", "easy", {})]
    cells = [Cell("single", None, None, 1, 50), Cell("single", "ethics", None, 1, 50)]
    for seed in range(20):
        chosen = allocate(
            5,
            cells,
            [(q.id, q.level, q.type, q.work_area, q.difficulty) for q in questions],
            __import__("random").Random(seed),
        )
        assert chosen == [[2], [1]]


def test_a_short_bank_names_every_short_cell():
    questions = bank()
    cells = [
        Cell("single", "ethics", "hard", 5, 20),
        Cell("multiple", None, None, 99, 0.5),
        Cell("truefalse", None, "easy", 2, 1),
    ]
    with pytest.raises(Shortfall) as error:
        draw(5, cells, questions, seed=1)
    problems = error.value.problems
    assert len(problems) == 2
    assert "5" in problems[0] and "3" in problems[0]
    assert "99" in problems[1] and "18" in problems[1]


def test_other_levels_are_not_drawn():
    questions = bank()
    with pytest.raises(Shortfall):
        draw(4, [Cell("single", None, None, 1, 100)], questions, seed=1)
