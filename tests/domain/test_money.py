from decimal import Decimal

import pytest

from peerlend.domain.money import CURRENCY_EXPONENTS, Money, format_minor, parse_amount_minor


def test_currency_exponents():
    assert CURRENCY_EXPONENTS["CNY"] == 2
    assert CURRENCY_EXPONENTS["USD"] == 2
    assert CURRENCY_EXPONENTS["JPY"] == 0


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1234.50", "CNY", 123450),
        ("1234.5", "CNY", 123450),
        ("1234", "CNY", 123400),
        ("0.01", "CNY", 1),
        ("  7.00 ", "CNY", 700),
        ("-3.25", "CNY", -325),
        ("+3.25", "USD", 325),
        ("0", "CNY", 0),
        ("1500", "JPY", 1500),
        ("1.500", "CNY", 150),  # trailing zeros are exact, not extra precision
        (Decimal("19.99"), "CNY", 1999),
        (Decimal("5"), "JPY", 5),
        (42, "CNY", 4200),
        (42, "JPY", 42),
    ],
)
def test_parse_accepts(text, currency, minor):
    money = Money.parse(text, currency)
    assert money == Money(minor, currency)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (1.5, "float"),
        (0.1, "float"),
        (True, "boolean"),
        ("NaN", "NaN"),
        ("nan", "NaN"),
        ("Infinity", "Infinity"),
        ("-inf", "NaN or Infinity"),
        (Decimal("NaN"), "NaN"),
        (Decimal("Infinity"), "Infinity"),
        ("1.234", "more decimal places"),
        (Decimal("0.001"), "more decimal places"),
        ("abc", "not a number"),
        ("12,345.00", "not a number"),
        ("1e3", "not a number"),
        (".5", "not a number"),
        ("5.", "not a number"),
        ("", "empty"),
        ("   ", "empty"),
        ("1" * 50, "too long"),
        (None, "not NoneType"),
        ([1], "not list"),
    ],
)
def test_parse_rejects_with_clear_message(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        Money.parse(value, "CNY")


def test_parse_rejects_decimals_for_jpy_and_unknown_currency():
    with pytest.raises(ValueError, match="JPY allows \\(0\\)"):
        Money.parse("1.5", "JPY")
    with pytest.raises(ValueError, match="unsupported currency"):
        Money.parse("1.00", "XYZ")
    with pytest.raises(ValueError, match="unsupported currency"):
        Money(1, "XYZ")


def test_constructor_needs_int_minor():
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)
    with pytest.raises(TypeError):
        Money(Decimal("1"))  # type: ignore[arg-type]


def test_str_and_formatting():
    assert str(Money(123450)) == "1234.50 CNY"
    assert str(Money(5, "USD")) == "0.05 USD"
    assert str(Money(-5)) == "-0.05 CNY"
    assert str(Money(1500, "JPY")) == "1500 JPY"
    assert Money(123450).format_major() == "1234.50"
    assert Money(123450).to_decimal() == Decimal("1234.50")
    assert str(Money(123450).to_decimal()) == "1234.50"
    assert Money(-100001).to_decimal() == Decimal("-1000.01")
    assert format_minor(123450) == "1234.50"
    assert format_minor(0) == "0.00"
    assert format_minor(-1) == "-0.01"
    assert format_minor(7, "JPY") == "7"


def test_round_trip_parse_format():
    for minor in (0, 1, 9, 10, 99, 100, 123456789, -42):
        assert Money.parse(format_minor(minor)).minor == minor


def test_immutable():
    m = Money(100)
    with pytest.raises(AttributeError):
        m.minor = 5  # type: ignore[misc]


def test_arithmetic_within_currency():
    a, b = Money(1050), Money(250)
    assert a + b == Money(1300)
    assert a - b == Money(800)
    assert -a == Money(-1050)
    assert a * 3 == Money(3150)
    assert 3 * a == Money(3150)
    assert abs(Money(-5)) == Money(5)
    assert sum([a, b], Money.zero()) == Money(1300)
    assert a > b and b < a and a >= a and b <= a
    assert sorted([a, b]) == [b, a]
    assert not Money.zero() and bool(a)


def test_mixing_currencies_raises():
    cny, usd = Money(100, "CNY"), Money(100, "USD")
    with pytest.raises(ValueError, match="CNY and USD"):
        cny + usd
    with pytest.raises(ValueError):
        cny - usd
    with pytest.raises(ValueError):
        cny < usd
    with pytest.raises(ValueError):
        cny >= usd
    assert cny != usd


def test_no_float_or_money_multiplication():
    with pytest.raises(TypeError):
        Money(100) * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100) * Money(2)  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100) + 1  # type: ignore[operator]


def test_parse_amount_minor():
    assert parse_amount_minor("100.00") == 10000
    assert parse_amount_minor("0.01") == 1
    assert parse_amount_minor(Decimal("12.3")) == 1230
    assert parse_amount_minor("500", "JPY") == 500
    for bad in ("0", "0.00", "-1", "-0.01"):
        with pytest.raises(ValueError, match="amount must be positive"):
            parse_amount_minor(bad)
    with pytest.raises(ValueError, match="float"):
        parse_amount_minor(10.0)
    with pytest.raises(ValueError, match="more decimal places"):
        parse_amount_minor("10.001")
    with pytest.raises(ValueError, match="boolean"):
        parse_amount_minor(True)
