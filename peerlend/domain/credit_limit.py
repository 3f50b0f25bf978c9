"""A borrower's credit limit (信用额度): the most they may have outstanding on the platform (pure rules).

The limit is the smallest of these bounds (each one a reason the borrower is shown):

==============  ===============================================================================
bound           figure
==============  ===============================================================================
regulatory      the borrowing cap of the rules profile (cn-2016: 200,000.00 CNY a person,
                1,000,000.00 CNY a company), passed in from the settings
risk            0 when the PD is at or above :data:`MAX_PD` (grade E5): no credit at all
income          declared annual income x the PD band's multiple (:data:`INCOME_MULTIPLES`),
                twice that for a company (its income is the business's)
debt_service    persons only: (monthly income x :data:`MAX_DEBT_SERVICE_BP` - declared monthly
                debt payments) x :data:`PAYMENT_TO_PRINCIPAL`, never negative
==============  ===============================================================================

``PAYMENT_TO_PRINCIPAL`` = 30 is the principal one CNY a month repays over 36 months at about 12 %
a year (annuity factor 30.1). The limit is rounded down to :data:`LIMIT_STEP_MINOR`; what is still
available is the limit less what is already outstanding or requested on the platform.

The limit is recomputed whenever it is read, from the current facts (no stored copy), so it is
reviewed after every repaid or late installment (see docs/model-card.md, "Credit limit").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final, Literal

__all__ = [
    "INCOME_MULTIPLES",
    "LIMIT_STEP_MINOR",
    "MAX_DEBT_SERVICE_BP",
    "MAX_PD",
    "PAYMENT_TO_PRINCIPAL",
    "Bound",
    "CreditLimit",
    "LimitInputs",
    "compute_limit",
]

BoundName = Literal["regulatory", "risk", "income", "debt_service"]

#: At or above this PD (grade E5) the platform gives no credit.
MAX_PD: Final = Decimal("0.2001")
#: (PD upper bound exclusive, multiple of declared annual income) for a person; best band first.
INCOME_MULTIPLES: Final[tuple[tuple[Decimal, Decimal], ...]] = (
    (Decimal("0.05"), Decimal("1.5")),
    (Decimal("0.10"), Decimal("1.0")),
    (Decimal("0.15"), Decimal("0.6")),
    (MAX_PD, Decimal("0.3")),
)
COMPANY_INCOME_FACTOR: Final = Decimal(2)
#: At most this share (basis points) of monthly income may go to debt payments.
MAX_DEBT_SERVICE_BP: Final = 5000
PAYMENT_TO_PRINCIPAL: Final = 30
#: Limits are whole hundreds of CNY.
LIMIT_STEP_MINOR: Final = 100_00


@dataclass(frozen=True, slots=True)
class LimitInputs:
    pd: Decimal
    annual_income_minor: int
    monthly_debt_payments_minor: int
    outstanding_minor: int  # principal owed plus requests in the pipeline on the platform
    regulatory_cap_minor: int
    borrower_type: str = "person"


@dataclass(frozen=True, slots=True)
class Bound:
    name: BoundName
    limit_minor: int
    binding: bool


@dataclass(frozen=True, slots=True)
class CreditLimit:
    limit_minor: int
    outstanding_minor: int
    available_minor: int
    bounds: tuple[Bound, ...]  # every bound, the binding one(s) flagged

    @property
    def binding(self) -> tuple[Bound, ...]:
        return tuple(b for b in self.bounds if b.binding)

    def allows(self, amount_minor: int) -> bool:
        return amount_minor <= self.available_minor


def income_multiple(pd: Decimal) -> Decimal:
    """The multiple of annual income a person may owe at this PD (0 at MAX_PD and above)."""
    for upper, multiple in INCOME_MULTIPLES:
        if pd < upper:
            return multiple
    return Decimal(0)


def _floor_step(amount_minor: int) -> int:
    return max(0, amount_minor) // LIMIT_STEP_MINOR * LIMIT_STEP_MINOR


def compute_limit(facts: LimitInputs) -> CreditLimit:
    """The limit, what is still available, and every bound with the binding one flagged."""
    company = facts.borrower_type == "company"
    figures: list[tuple[BoundName, int]] = [("regulatory", facts.regulatory_cap_minor)]
    if facts.pd >= MAX_PD:
        figures.append(("risk", 0))
    multiple = income_multiple(facts.pd) * (COMPANY_INCOME_FACTOR if company else 1)
    income = int((Decimal(max(0, facts.annual_income_minor)) * multiple).to_integral_value(rounding=ROUND_FLOOR))
    figures.append(("income", income))
    if not company:
        capacity = max(0, facts.annual_income_minor) * MAX_DEBT_SERVICE_BP // (12 * 10_000)
        figures.append(("debt_service", max(0, capacity - max(0, facts.monthly_debt_payments_minor))
                        * PAYMENT_TO_PRINCIPAL))
    rounded = [(name, _floor_step(value)) for name, value in figures]
    limit = min(value for _, value in rounded)
    bounds = tuple(Bound(name, value, value == limit) for name, value in rounded)
    outstanding = max(0, facts.outstanding_minor)
    return CreditLimit(limit, outstanding, max(0, limit - outstanding), bounds)
