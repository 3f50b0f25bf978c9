"""Unified social credit codes (GB 32100-2015) and ages computed from a resident ID."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlend.domain.validators import (
    age_on,
    credit_code_check_char,
    make_credit_code,
    make_resident_id,
    resident_id_age,
    validate_credit_code,
)

# Published codes of real companies (business licences are public records).
XIAOMI = "91110108551385082Q"
ALIBABA_CHINA = "91330100799655058B"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_published_codes_are_valid_and_normalised():
    assert validate_credit_code(XIAOMI) == XIAOMI
    assert validate_credit_code(ALIBABA_CHINA) == ALIBABA_CHINA
    assert validate_credit_code(" 91110108551385082q ") == XIAOMI
    assert credit_code_check_char(XIAOMI[:17]) == "Q"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "18 characters"),
        (XIAOMI[:17], "18 characters"),
        (XIAOMI + "1", "18 characters"),
        ("91110108551385082R", "check character"),
        ("911101085513850I2Q", "I, O, S, V, Z"),  # I is not in the code alphabet
        ("9111A108551385082Q", "administrative division"),
        ("X1110108551385082Q", "registration authority"),
        (12345, "must be a string"),
    ],
)
def test_invalid_codes_name_the_failed_check(text, problem):
    with pytest.raises(ValueError, match=problem):
        validate_credit_code(text)


def test_check_char_of_weighted_sum_zero_is_zero():
    # Sum 0 -> (31 - 0) % 31 = 0: the character "0", not an index past the alphabet.
    assert credit_code_check_char("0" * 17) == "0"


@given(
    st.sampled_from("123456789ANY"),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
    st.text(alphabet=_ALPHABET, min_size=9, max_size=9),
)
def test_generated_codes_validate_and_any_single_change_is_caught(authority, digits, org):
    code = make_credit_code(authority + digits[0], digits[1:], org)
    assert validate_credit_code(code) == code
    # A changed check character is always caught (MOD 31 over a 31-character alphabet).
    wrong = _ALPHABET[(_ALPHABET.index(code[17]) + 1) % 31]
    with pytest.raises(ValueError):
        validate_credit_code(code[:17] + wrong)


def test_age_counts_completed_years():
    born = date(2008, 12, 3)
    assert age_on(born, date(2026, 12, 3)) == 18  # the 18th birthday itself
    assert age_on(born, date(2026, 12, 2)) == 17
    assert age_on(date(2015, 6, 1), date(2026, 12, 3)) == 11
    # Born on 29 February: a year is complete on 1 March in a common year.
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    with pytest.raises(ValueError):
        age_on(date(2030, 1, 1), date(2026, 1, 1))


def test_age_from_resident_id():
    rid = make_resident_id("110101", date(1968, 7, 15), 7)
    assert resident_id_age(rid, date(2026, 7, 14)) == 57
    assert resident_id_age(rid, date(2026, 7, 15)) == 58
