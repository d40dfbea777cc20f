from datetime import date

import pytest

from lms.core import idnumber
from tests.conftest import zh


@pytest.mark.parametrize(
    ("value", "gender", "birth"),
    [
        ("11010519491231002X", "F", date(1949, 12, 31)),
        ("34052419800101001X", "M", date(1980, 1, 1)),
    ],
)
def test_published_examples_are_valid(app, value, gender, birth):
    parsed = idnumber.parse(value, today=date(2026, 11, 23))
    assert parsed.value == value
    assert (parsed.gender, parsed.birth_date, parsed.region_code) == (gender, birth, value[:6])


def test_gender_comes_from_the_seventeenth_digit(app):
    male = idnumber.synthesize("140402", date(1990, 1, 1), 13)
    female = idnumber.synthesize("140402", date(1990, 1, 1), 14)
    assert idnumber.parse(male).gender == "M"
    assert idnumber.parse(female).gender == "F"


def test_lower_case_x_and_spaces_are_accepted_and_stored_upper_case(app):
    parsed = idnumber.parse(" 11010519491231002x ")
    assert parsed.value == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002", "ID number must have 18 characters"),
        ("1101051949123100AX", "ID number must be 17 digits followed by a digit or X"),
        ("11010519491231003X", "ID number check digit is wrong"),
        ("110105194902300021", "ID number contains an impossible birth date"),
        ("990105194912310021", "ID number has an unknown region code"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(app, value, reason):
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse(value, today=date(2026, 11, 23))
    assert str(error.value) == zh(reason)


def test_future_birth_date_and_implausible_ages_are_refused(app):
    future = idnumber.synthesize("140402", date(2027, 1, 1), 20)
    child = idnumber.synthesize("140402", date(2015, 1, 1), 20)
    ancient = idnumber.synthesize("140402", date(1930, 1, 1), 20)
    age_message = "ID number gives an age of %(age)d, outside %(low)d–%(high)d"
    cases = (
        (future, zh("ID number has a birth date in the future")),
        (child, zh(age_message, age=11, low=16, high=80)),
        (ancient, zh(age_message, age=96, low=16, high=80)),
    )
    for value, message in cases:
        with pytest.raises(idnumber.IdNumberError) as error:
            idnumber.parse(value, today=date(2026, 11, 23))
        assert str(error.value) == message


def test_check_digit_matches_gb11643_weights():
    # 7*1+9*1+10*0+5*1+8*0+4*5+2*1+1*9+6*4+3*9+7*1+9*2+10*3+5*1+8*0+4*0+2*2 = 167; 167 % 11 = 2
    assert idnumber.check_char("11010519491231002") == "X"


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask("140402199001011234") == "140402********1234"


def test_looks_like_is_the_shape_only_after_normalising():
    assert idnumber.looks_like("11010519491231002X")
    assert idnumber.looks_like(" 11010519491231002x ")  # a typed term or a file name's stem
    assert idnumber.looks_like("140402199001011234")  # shape only: check character not verified
    assert not idnumber.looks_like("1101051949123100")
    assert not idnumber.looks_like("11010519491231002Y")
    assert not idnumber.looks_like("SZ2026000123")
    assert not idnumber.looks_like("")
