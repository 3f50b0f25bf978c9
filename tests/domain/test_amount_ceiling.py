"""Finding 2 of issue 11: no parsed amount may come near the 64-bit limit of minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peerlend.domain.money import MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR, AmountTooLarge, Money, parse_amount_minor

INT64_MAX = 2**63 - 1


def test_the_ceilings_leave_room_below_int64():
    assert MAX_AMOUNT_MINOR == 10**13
    # A million maximal amounts still add up below the stored-balance ceiling's headroom to int64.
    assert MAX_BALANCE_MINOR * 1000 < INT64_MAX
    assert MAX_AMOUNT_MINOR < MAX_BALANCE_MINOR


@pytest.mark.parametrize(
    "text",
    [
        "92233720368547758.06",  # one minor unit below 2**63: was accepted
        "92233720368547758.07",
        "99999999999999999999999999999999999",
        "100000000000.01",  # one minor unit above the ceiling
        Decimal("1E+30"),
        10**12,
    ],
)
def test_amounts_above_the_ceiling_are_refused_with_a_clear_message(text):
    with pytest.raises(AmountTooLarge, match=r"at most 100,000,000,000\.00 CNY"):
        parse_amount_minor(text)
    with pytest.raises(ValueError, match="too large"):
        Money.parse(text)


def test_negative_amounts_beyond_the_ceiling_are_refused_too():
    with pytest.raises(AmountTooLarge):
        Money.parse("-100000000000.01")


def test_the_ceiling_itself_is_accepted():
    assert parse_amount_minor("100000000000.00") == MAX_AMOUNT_MINOR
    assert parse_amount_minor("100000000000") == MAX_AMOUNT_MINOR
    assert Money.parse("100000000000", "JPY").minor == 100_000_000_000


def test_huge_exponent_is_refused_before_building_a_huge_integer():
    with pytest.raises(AmountTooLarge):
        parse_amount_minor(Decimal("1E+100000000"))


def test_format_grouped_for_messages():
    from peerlend.domain.money import format_grouped

    assert format_grouped(100_000_000) == "1,000,000.00"
    assert format_grouped(-123_456_78) == "-123,456.78"
    assert format_grouped(5) == "0.05"
    assert format_grouped(1_234_567, "JPY") == "1,234,567"
