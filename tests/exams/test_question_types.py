import pytest

from lms.exams import question_types

single, multiple = question_types.SingleChoice(), question_types.MultipleChoice()
truefalse, short = question_types.TrueFalse(), question_types.ShortAnswer()


def test_single_choice_scores_only_the_exact_answer():
    assert single.score("B", ["B"], 1.5, "all_or_nothing") == 1.5
    assert single.score("B", ["C"], 1.5, "all_or_nothing") == 0


@pytest.mark.parametrize(
    ("rule", "chosen", "expected"),
    [
        ("all_or_nothing", ["A", "C"], 2),
        ("all_or_nothing", ["A"], 0),
        ("half_for_subset", ["A"], 1),
        ("half_for_subset", ["A", "D"], 0),
        ("proportional", ["A"], 1),
        ("proportional", [], 0),
        ("proportional", ["A", "B"], 0),
    ],
)
def test_multiple_choice_partial_credit_rules(rule, chosen, expected):
    assert multiple.score(["A", "C"], chosen, 2, rule) == expected


def test_proportional_credit_for_three_correct_options():
    assert multiple.score(["A", "B", "C"], ["A", "B"], 3, "proportional") == 2


def test_true_false_and_short_answers():
    assert truefalse.score(True, True, 1, "") == 1
    assert truefalse.score(True, False, 1, "") == 0
    assert short.score("参考", "我的回答", 5, "") is None  # waits for an examiner
    assert short.score("参考", "", 5, "") == 0


def test_responses_are_checked_against_the_options_shown():
    assert single.clean_response(["B"], 4) == ["B"]
    for bad in (["E"], ["A", "B"], "A", [1]):
        with pytest.raises(ValueError):
            single.clean_response(bad, 4)
    assert multiple.clean_response(["C", "A", "A"], 4) == ["A", "C"]
    with pytest.raises(ValueError):
        truefalse.clean_response("yes", 0)
    assert short.clean_response("  答案 ", 0) == "答案"


def test_display_letters_translate_back_to_the_questions_own_keys():
    order = ["C", "A", "D", "B"]  # display A shows option C, …
    assert single.to_original(["B"], order) == ["A"]
    assert multiple.to_original(["A", "D"], order) == ["B", "C"]
