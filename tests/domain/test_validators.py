from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlend.domain.validators import (
    luhn_check_digit,
    make_bank_card,
    make_resident_id,
    mask_bank_card,
    mask_mobile,
    mask_resident_id,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    validate_bank_card,
    validate_mobile,
    validate_resident_id,
)

TODAY = date(2025, 6, 1)
# The specimen number printed in GB 11643-1999 material; its check character is X.
SPECIMEN = "11010519491231002X"


# --- resident ID ----------------------------------------------------------------------------------


def test_specimen_is_valid_and_normalised():
    assert validate_resident_id(SPECIMEN, today=TODAY) == SPECIMEN
    assert validate_resident_id("  11010519491231002x ", today=TODAY) == SPECIMEN
    assert resident_id_birth_date(SPECIMEN) == date(1949, 12, 31)
    assert resident_id_gender(SPECIMEN) == "female"


def test_check_char_table():
    assert resident_id_check_char("11010519491231002") == "X"
    # weighted sum 0 -> "1"
    assert resident_id_check_char("0" * 17) == "1"
    with pytest.raises(ValueError):
        resident_id_check_char("123")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1101051949123100", "18 characters, got 16"),
        ("11010519491231002X1", "18 characters, got 19"),
        ("", "18 characters, got 0"),
        ("11010519491231002Y", "17 digits followed by a digit or X"),
        ("1101051949123100X2", "17 digits followed by a digit or X"),
        ("11010519491231002１", "17 digits followed by a digit or X"),  # full-width digit
        ("110105199002300011", "invalid birth date 19900230"),
        ("110105199013010011", "invalid birth date 19901301"),
        ("110105189912310011", "before 1900"),
        ("110105203001010011", "in the future"),
        ("110105194912310021", "check digit does not match"),
        ("110105194912310020", "check digit does not match"),
    ],
)
def test_invalid_resident_ids(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_resident_id(text, today=TODAY)


def test_future_birth_date_relative_to_business_date():
    born = make_resident_id("310101", date(2025, 6, 2), 1)
    with pytest.raises(ValueError, match="future"):
        validate_resident_id(born, today=TODAY)
    assert validate_resident_id(born, today=date(2025, 6, 2)) == born


def test_non_string_rejected():
    with pytest.raises(ValueError, match="string"):
        validate_resident_id(110105194912310021)


def test_make_resident_id():
    rid = make_resident_id("440305", date(1988, 2, 29), 357)
    assert rid.startswith("44030519880229357")
    assert validate_resident_id(rid, today=TODAY) == rid
    assert resident_id_gender(rid) == "male"
    assert resident_id_birth_date(rid) == date(1988, 2, 29)
    assert make_resident_id("440305", date(1988, 2, 29), "002")[14:17] == "002"
    assert resident_id_gender(make_resident_id("440305", date(1988, 2, 29), 2)) == "female"
    for bad in (("44030", date(1990, 1, 1), 1), ("440305", date(1990, 1, 1), 1000), ("440305", date(1990, 1, 1), "12")):
        with pytest.raises(ValueError):
            make_resident_id(*bad)


@given(
    region=st.integers(min_value=110000, max_value=829999),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_generated_ids_valid_and_single_digit_errors_caught(region, birth, seq, position, delta):
    rid = make_resident_id(str(region), birth, seq)
    assert validate_resident_id(rid, today=TODAY) == rid
    # MOD 11-2 detects every single-digit substitution.
    digits = list(rid)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(ValueError):
        validate_resident_id("".join(digits), today=TODAY)


def test_mask_resident_id():
    assert mask_resident_id("110105194912311234") == "110***********1234"
    assert mask_resident_id(SPECIMEN) == "110***********002X"
    assert len(mask_resident_id(SPECIMEN)) == 18
    assert mask_resident_id("1234") == "****"


# --- bank cards ---------------------------------------------------------------------------------


def test_valid_bank_cards():
    assert validate_bank_card("4111 1111 1111 1111") == "4111111111111111"
    card = make_bank_card("622202", 19)
    dashed = "-".join(card[i : i + 4] for i in range(0, 19, 4))
    assert validate_bank_card(dashed) == card
    # 79927398713 is Luhn-valid but has only 11 digits
    with pytest.raises(ValueError, match="12 to 19 digits, got 11"):
        validate_bank_card("79927398713")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("4111111111111112", "Luhn"),
        ("4111 1111 1111 111a", "digits only"),
        ("", "empty"),
        ("   ", "empty"),
        ("1" * 20, "12 to 19 digits, got 20"),
        ("４１１１１１１１１１１１１１１１", "digits only"),
        (4111111111111111, "string"),
    ],
)
def test_invalid_bank_cards(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_bank_card(text)


def test_luhn_check_digit_known():
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("411111111111111") == "1"


@given(
    payload=st.text(alphabet="0123456789", min_size=11, max_size=18),
    position=st.integers(0, 100),
    delta=st.integers(1, 9),
)
def test_luhn_round_trip_and_single_digit_errors(payload, position, delta):
    card = payload + luhn_check_digit(payload)
    assert validate_bank_card(card) == card
    i = position % len(card)
    broken = card[:i] + str((int(card[i]) + delta) % 10) + card[i + 1 :]
    with pytest.raises(ValueError, match="Luhn"):
        validate_bank_card(broken)


def test_make_bank_card():
    for length in range(12, 20):
        card = make_bank_card("622848", length)
        assert len(card) == length and card.startswith("622848")
        assert validate_bank_card(card) == card
    assert make_bank_card("62284812345678") == validate_bank_card(make_bank_card("62284812345678"))
    for bad in (("62a", 16), ("622848", 11), ("622848", 20), ("1" * 16, 16)):
        with pytest.raises(ValueError):
            make_bank_card(*bad)


def test_mask_bank_card():
    assert mask_bank_card("6222020200000001234") == "6222 **** **** 1234"
    assert mask_bank_card("6222 0202 0000 1234") == "6222 **** **** 1234"
    assert mask_bank_card("123") == "***"


# --- mobile ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["13812345678", "+8613812345678", "8613812345678", "+86 138 1234 5678", "138-1234-5678", "19912345678"],
)
def test_valid_mobiles(text):
    assert validate_mobile(text) in ("13812345678", "19912345678")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("12812345678", "start with 13-19"),
        ("10012345678", "start with 13-19"),
        ("1381234567", "11 digits, got 10"),
        ("138123456789", "11 digits, got 12"),
        ("1381234567a", "digits only"),
        ("+8512812345678", "digits only"),
        ("", "empty"),
        (13812345678, "string"),
    ],
)
def test_invalid_mobiles(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_mobile(text)


def test_mask_mobile():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138 1234 5678") == "138****5678"
    assert mask_mobile("123") == "***"
