"""The one syntax for an amount a person types or a client sends (``parse_amount_minor``).

``AMOUNT_TABLE`` is shared with tests/web/test_amount_entry_points.py, which sends the same
inputs through every form and API route that takes an amount.
"""

from __future__ import annotations

import pytest

from peerlend.domain.money import parse_amount_minor

# (text, minor units or None when refused)
AMOUNT_TABLE: list[tuple[str, int | None]] = [
    ("8000", 8_000_00),
    ("8000.00", 8_000_00),
    ("8000.5", 8_000_50),
    ("8,000.00", 8_000_00),
    ("8,000", 8_000_00),
    ("1,234,567.89", 1_234_567_89),
    (" 8,000.00 ", 8_000_00),
    ("0.01", 1),
    ("100000000000.00", 10**13),  # the ceiling itself
    ("100,000,000,000.00", 10**13),
    # refused
    ("", None),
    ("   ", None),
    ("0", None),
    ("0.00", None),
    ("-5.00", None),
    ("-5,000.00", None),
    ("8000.001", None),
    ("8000.000", None),  # at most two decimals are written, even zeros
    ("8,00.00", None),  # groups of three only
    ("80,00", None),
    (",800", None),
    ("8,000,", None),
    ("8.000,00", None),
    ("8 000.00", None),
    ("8000.", None),
    (".50", None),
    ("1e3", None),
    ("NaN", None),
    ("Infinity", None),
    ("abc", None),
    ("８０００", None),  # full-width digits
    ("100,000,000,000.01", None),  # one minor unit above the ceiling
    ("99999999999999999999999999999999999", None),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNT_TABLE)
def test_the_one_amount_syntax(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_amount_minor(text)
    else:
        assert parse_amount_minor(text) == expected


def test_decimals_beyond_the_currency_are_refused_even_when_zero():
    with pytest.raises(ValueError, match=r"more decimal places than CNY allows \(2\)"):
        parse_amount_minor("1.500")
    with pytest.raises(ValueError, match=r"more decimal places than JPY allows \(0\)"):
        parse_amount_minor("1,500.0", "JPY")
    assert parse_amount_minor("1,500", "JPY") == 1500


def test_every_refusal_has_a_translated_message():
    from peerlend.domain_errors import match

    for text, expected in AMOUNT_TABLE:
        if expected is None:
            with pytest.raises(ValueError) as info:
                parse_amount_minor(text)
            assert match(str(info.value)) is not None, str(info.value)
