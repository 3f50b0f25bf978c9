"""Money as integer minor units plus an ISO 4217 currency code.

Floats never enter: amounts come in as ``str``, ``Decimal`` or ``int`` and are kept as ``int`` minor units.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

__all__ = [
    "CURRENCY_EXPONENTS",
    "DEFAULT_CURRENCY",
    "MAX_AMOUNT_MINOR",
    "MAX_BALANCE_MINOR",
    "AmountTooLarge",
    "Money",
    "currency_exponent",
    "format_grouped",
    "format_minor",
    "parse_amount_minor",
]

DEFAULT_CURRENCY: Final = "CNY"

#: Number of decimal places of each supported currency (ISO 4217 minor unit).
CURRENCY_EXPONENTS: Final[Mapping[str, int]] = MappingProxyType(
    {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "GBP": 2, "JPY": 0}
)

# Plain decimal notation only: no exponents, no thousands separators, no leading "." or trailing ".".
_AMOUNT_RE: Final = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# Thousands separators as people write them ("8,000.00"): commas between groups of exactly three digits.
_GROUPED_AMOUNT_RE: Final = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# Guards against pathological inputs (a megabyte of digits) before any conversion happens.
_MAX_AMOUNT_CHARS: Final = 40

#: The largest magnitude any one parsed amount may have: 10**13 minor units (100,000,000,000.00 CNY).
#: Far below the 64-bit limit of the database columns (about 9.2 * 10**18), so no input, nor a sum of
#: many inputs, can overflow a stored balance. Business limits (peerlend.domain.limits) are much lower.
MAX_AMOUNT_MINOR: Final = 10**13
#: The largest magnitude a stored balance, posting or per-loan total may have (the database refuses more):
#: room for 100 maximal amounts, still some 9,000 times below the 64-bit limit.
MAX_BALANCE_MINOR: Final = 10**15


class AmountTooLarge(ValueError):
    """An amount beyond :data:`MAX_AMOUNT_MINOR`: refused, never stored."""

    def __init__(self, currency: str) -> None:
        self.limit_minor = MAX_AMOUNT_MINOR
        self.currency = currency
        super().__init__(f"amount is too large: at most {format_grouped(MAX_AMOUNT_MINOR, currency)} {currency}")


def currency_exponent(currency: str) -> int:
    """Decimal places of ``currency``; ``ValueError`` for an unsupported code."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"unsupported currency {currency!r}") from None


def _to_decimal(value: object) -> Decimal:
    """Turn accepted inputs into a finite Decimal or raise a ValueError that says what is wrong."""
    # bool is an int subclass; True is not an amount.
    if isinstance(value, bool):
        raise ValueError("amount must be a number, not a boolean")
    if isinstance(value, float):
        raise ValueError("amount must be given as a string, Decimal or int, not a float (floats are inexact)")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("amount must be a finite number, not NaN or Infinity")
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("amount is empty")
        if len(text) > _MAX_AMOUNT_CHARS:
            raise ValueError("amount is too long")
        if text.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
            raise ValueError("amount must be a finite number, not NaN or Infinity")
        if not _AMOUNT_RE.fullmatch(text):
            raise ValueError(f"amount {value!r} is not a number like 1234.50")
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
            raise ValueError(f"amount {value!r} is not a number like 1234.50") from None
    raise ValueError(f"amount must be a string, Decimal or int, not {type(value).__name__}")


def _decimal_to_minor(amount: Decimal, currency: str) -> int:
    exponent = currency_exponent(currency)
    # Compared before scaling: Decimal("1E+100000000") must neither overflow the decimal context nor
    # become a hundred-million-digit integer.
    if amount.copy_abs() > Decimal(MAX_AMOUNT_MINOR).scaleb(-exponent):
        raise AmountTooLarge(currency)
    scaled = amount.scaleb(exponent)
    # Trailing zeros ("1.500") are exact and accepted; a non-zero digit beyond the minor unit is refused
    # instead of being rounded away silently.
    if scaled != scaled.to_integral_value():
        raise ValueError(f"amount {amount} has more decimal places than {currency} allows ({exponent})")
    return int(scaled)


def format_minor(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Plain major-unit text of an amount in minor units: ``123450 -> "1234.50"``, ``-5 -> "-0.05"``."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("minor must be an int")
    exponent = currency_exponent(currency)
    sign = "-" if minor < 0 else ""
    magnitude = abs(minor)
    if exponent == 0:
        return f"{sign}{magnitude}"
    whole, frac = divmod(magnitude, 10**exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}"


def format_grouped(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Like :func:`format_minor` with thousands separators, for messages: ``100000000 -> "1,000,000.00"``."""
    text = format_minor(minor, currency)
    sign = "-" if text.startswith("-") else ""
    whole, dot, frac = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{frac}"


def parse_amount_minor(text: object, currency: str = DEFAULT_CURRENCY) -> int:
    """Parse an amount a person typed or a client sent into positive minor units.

    The one parser behind every form field and API body that takes an amount. Accepted text:
    major units in ASCII digits, optionally grouped in threes by commas, optionally a point and
    at most the currency's decimal places (two for CNY), surrounding spaces ignored:
    ``"8000"``, ``"8000.5"``, ``"8,000.00"``, ``"1,234,567.89"``. Refused, each with a
    ``ValueError`` saying why: anything else (``"8,00"``, ``"8.000,00"``, ``"1e3"``, ``"8000."``,
    a third decimal even when zero), zero and negative amounts ("amount must be positive") and
    magnitudes beyond :data:`MAX_AMOUNT_MINOR` (:class:`AmountTooLarge`). ``Decimal`` and ``int``
    values (major units) are read as by :meth:`Money.parse`; floats and booleans are refused.
    """
    if isinstance(text, str):
        text = text.strip()
        if _GROUPED_AMOUNT_RE.fullmatch(text):
            text = text.replace(",", "")
    minor = Money.parse(text, currency).minor
    if isinstance(text, str):
        _whole, _point, fraction = text.partition(".")
        exponent = currency_exponent(currency)
        if len(fraction) > exponent:  # "1.500": exact, but not how an amount of CNY is written
            raise ValueError(f"amount {text} has more decimal places than {currency} allows ({exponent})")
    if minor <= 0:
        raise ValueError("amount must be positive")
    return minor


@dataclass(frozen=True, slots=True)
class Money:
    """An immutable amount: ``minor`` integer units of ``currency`` (``Money(123450)`` is 1234.50 CNY)."""

    minor: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money.minor must be an int, not {type(self.minor).__name__}")
        currency_exponent(self.currency)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: object, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse ``"1234.50"`` (or a ``Decimal``/``int`` in major units) into ``Money``.

        Refuses floats, booleans, NaN/Infinity, exponents and separators, non-numbers,
        non-zero digits beyond the currency's minor unit and magnitudes beyond
        :data:`MAX_AMOUNT_MINOR` (:class:`AmountTooLarge`), each with a ``ValueError`` saying why.
        """
        currency_exponent(currency)
        return cls(_decimal_to_minor(_to_decimal(text), currency), currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    # -- presentation -------------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        """Exact major-unit value, e.g. ``Decimal("1234.50")``."""
        return Decimal(self.minor).scaleb(-currency_exponent(self.currency))

    def format_major(self) -> str:
        """``"1234.50"``: major units, plain digits, no currency code."""
        return format_minor(self.minor, self.currency)

    def __str__(self) -> str:
        return f"{self.format_major()} {self.currency}"

    # -- arithmetic (one currency only) ---------------------------------------------------------
    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency} amounts")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __mul__(self, factor: object) -> Money:
        # Only whole multiples: a fractional factor would need an explicit rounding decision.
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.minor != 0

    # -- ordering (one currency only) ---------------------------------------------------------
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor >= other.minor
