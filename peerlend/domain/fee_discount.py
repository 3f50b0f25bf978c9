"""A member privilege's discount on a fee (pure, no Django).

The discount is ``fee x basis points / 10000`` rounded half-up to the minor unit, the same rounding
as the fee itself (``quote.fee_minor``), and never more than the fee: the borrower pays
``fee - discount`` exactly, so a 10 % discount on a 1,015.05 CNY fee is 101.51 CNY (101.505 rounds up)
and the fee charged is 913.54 CNY.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MAX_DISCOUNT_BP = 10_000


def discount_minor(fee_minor: int, discount_bp: int) -> int:
    """The discount on ``fee_minor`` at ``discount_bp`` basis points (0-10000), half-up, at most the fee."""
    if fee_minor < 0:
        raise ValueError("a fee must not be negative")
    if not 0 <= discount_bp <= MAX_DISCOUNT_BP:
        raise ValueError("a discount is 0 to 10000 basis points")
    exact = Decimal(fee_minor) * discount_bp / MAX_DISCOUNT_BP
    return min(fee_minor, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
