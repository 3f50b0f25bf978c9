"""Discounts on the origination fee that a higher context grants (issue 15: member-tier privileges).

Lending sits below marketing in the layer order, so ``disburse`` cannot ask for a member's tier; marketing
registers a provider here from its ``AppConfig.ready`` (the ``invest_checks`` pattern). The provider sees
the loan and the full fee and answers with the discount in basis points and why; lending does the
arithmetic (``domain.fee_discount``), charges the lower fee and records what the fee would have been, the
discount and its source in the loan's contract. Funding never asks: a discount changes what the borrower
pays the platform, never the order or share in which investors fund a loan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peerlend.domain.fee_discount import discount_minor


@dataclass(frozen=True)
class FeeDiscountGrant:
    """What a provider grants: basis points of the fee, the source (``"member_tier"``) and its detail (tier code)."""

    discount_bp: int
    source: str
    detail: str


@dataclass(frozen=True)
class FeeDiscount:
    full_fee_minor: int
    discount_minor: int
    discount_bp: int
    source: str
    detail: str

    @property
    def fee_minor(self) -> int:
        return self.full_fee_minor - self.discount_minor

    def as_terms(self) -> dict[str, Any]:
        """The contract's record of it (integers in minor units, so it reads back exactly)."""
        return {"full_fee_minor": self.full_fee_minor, "discount_minor": self.discount_minor,
                "discount_bp": self.discount_bp, "source": self.source, "detail": self.detail}


#: ``(loan, full_fee_minor) -> FeeDiscountGrant | None``.
FeeDiscountProvider = Callable[[Any, int], FeeDiscountGrant | None]
_PROVIDER: FeeDiscountProvider | None = None


def register_fee_discount(fn: FeeDiscountProvider | None) -> None:
    """Install (or remove, with None) the one provider of origination-fee discounts."""
    global _PROVIDER
    _PROVIDER = fn


def fee_discount_for(loan: Any, full_fee_minor: int) -> FeeDiscount | None:
    """The discount on this loan's fee now, or None: no provider, no grant, or nothing to discount."""
    if _PROVIDER is None or full_fee_minor <= 0:
        return None
    grant = _PROVIDER(loan, full_fee_minor)
    if grant is None or grant.discount_bp <= 0:
        return None
    off = discount_minor(full_fee_minor, grant.discount_bp)
    if off <= 0:
        return None
    return FeeDiscount(full_fee_minor, off, grant.discount_bp, grant.source, grant.detail)


def recorded_fee_discount(terms: dict[str, Any] | None) -> FeeDiscount | None:
    """The discount a contract recorded at disbursement, read back from its terms."""
    row = (terms or {}).get("origination_fee_discount")
    if not row:
        return None
    return FeeDiscount(int(row["full_fee_minor"]), int(row["discount_minor"]), int(row["discount_bp"]),
                       str(row["source"]), str(row["detail"]))
