"""The repayment rules of a serviced loan, on plain values: no database, no settings.

* :class:`ServicingRules` holds every servicing parameter (rates, day counts, guarantee mode,
  allocation strategy); servicing builds it from the settings in one place.
* :class:`AllocationStrategy` names the order in which a payment pays the parts of an
  installment (Fineract-style "penalty, fee, interest, principal"); another order can be
  registered in :data:`STRATEGIES` and chosen per product.
* :func:`waterfall` applies a payment to installments oldest first in the strategy's order and
  says where each unit goes (holders, platform fee income, risk reserve).
* Days past due, the late fee, penalty interest and the risk reserve's share of a fee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from peerlend.domain.schedule import daily_interest_minor

__all__ = [
    "DEFAULT_STRATEGY",
    "GUARANTEE_MODES",
    "STRATEGIES",
    "AllocationStrategy",
    "Applied",
    "Charges",
    "InstallmentDue",
    "InstallmentPaid",
    "Part",
    "ServicingRules",
    "after_payment",
    "age_installment",
    "days_past_due",
    "half_up",
    "installment_status",
    "late_fee_minor",
    "payable_indexes",
    "penalty_minor",
    "reserve_share_minor",
    "strategy_named",
    "waterfall",
]

GUARANTEE_MODES: Final = ("none", "risk_reserve")

# Installment statuses (the values servicing stores).
SCHEDULED: Final = "scheduled"
PARTIAL: Final = "partial"
PAID: Final = "paid"
OVERDUE: Final = "overdue"
WRITTEN_OFF: Final = "written_off"


def half_up(value: Decimal) -> int:
    """``value`` rounded half-up to an integer number of minor units."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Part(StrEnum):
    """A part of what an installment owes."""

    PENALTY = "penalty"  # penalty interest on overdue principal (goes to the holders)
    FEE = "fee"  # the late fee (goes to the platform)
    INTEREST = "interest"
    PRINCIPAL = "principal"


@dataclass(frozen=True, slots=True)
class AllocationStrategy:
    """A named order in which a payment pays the parts of each installment, oldest installment first."""

    name: str
    order: tuple[Part, ...]

    def __post_init__(self) -> None:
        if sorted(self.order, key=lambda p: p.value) != sorted(Part, key=lambda p: p.value):
            raise ValueError(f"allocation strategy {self.name!r} must order each part exactly once")


#: The platform's order: penalty interest, late fee, interest, principal (Fineract's "mifos standard").
PENALTY_FEE_INTEREST_PRINCIPAL: Final = AllocationStrategy(
    "penalty-fee-interest-principal", (Part.PENALTY, Part.FEE, Part.INTEREST, Part.PRINCIPAL))
#: Interest and principal before charges (Fineract's "RBI India" order).
INTEREST_PRINCIPAL_PENALTY_FEE: Final = AllocationStrategy(
    "interest-principal-penalty-fee", (Part.INTEREST, Part.PRINCIPAL, Part.PENALTY, Part.FEE))
DEFAULT_STRATEGY: Final = PENALTY_FEE_INTEREST_PRINCIPAL
STRATEGIES: Final = {s.name: s for s in (PENALTY_FEE_INTEREST_PRINCIPAL, INTEREST_PRINCIPAL_PENALTY_FEE)}


def strategy_named(name: str) -> AllocationStrategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown allocation strategy {name!r}; expected one of {', '.join(STRATEGIES)}") from None


@dataclass(frozen=True, slots=True)
class ServicingRules:
    """Every servicing parameter, as plain values (rates are ``Decimal``, amounts integer minor units)."""

    grace_days: int = 15
    late_fee_rate: Decimal = Decimal("0.05")
    late_fee_min_minor: int = 15_00
    penalty_daily_rate: Decimal = Decimal("0.0005")
    default_days: int = 121
    charge_off_days: int = 150
    investor_service_fee_rate: Decimal = Decimal("0.01")
    guarantee_mode: str = "none"
    reserve_share_of_fee: Decimal = Decimal("0.30")
    compensation_days: int = 30
    prepayment_penalty_rate: Decimal = Decimal(0)
    allocation: AllocationStrategy = field(default=DEFAULT_STRATEGY)

    def __post_init__(self) -> None:
        if self.guarantee_mode not in GUARANTEE_MODES:
            raise ValueError(f"GUARANTEE_MODE must be none or risk_reserve, not {self.guarantee_mode!r}")

    @property
    def risk_reserve(self) -> bool:
        return self.guarantee_mode == "risk_reserve"


# ---------------------------------------------------------------- charges


def reserve_share_minor(fee_minor: int, rules: ServicingRules) -> int:
    """The part of an origination fee that funds the risk reserve (0 unless in risk_reserve mode)."""
    if not rules.risk_reserve or fee_minor <= 0:
        return 0
    return min(fee_minor, half_up(Decimal(fee_minor) * rules.reserve_share_of_fee))


def late_fee_minor(unpaid_installment_minor: int, rules: ServicingRules) -> int:
    """max(late fee rate x the unpaid installment, the minimum late fee), charged once per installment."""
    return max(half_up(Decimal(unpaid_installment_minor) * rules.late_fee_rate), rules.late_fee_min_minor)


def penalty_minor(overdue_principal_minor: int, days: int, rules: ServicingRules) -> int:
    """Penalty interest on overdue principal for ``days`` days (the daily rate, actual/365)."""
    if overdue_principal_minor <= 0 or days <= 0:
        return 0
    return daily_interest_minor(overdue_principal_minor, rules.penalty_daily_rate * 365, days)


@dataclass(frozen=True, slots=True)
class Charges:
    """An overdue installment's charges after one day of aging."""

    late_fee: int  # the late fee charged on it (charged once: unchanged when already charged)
    penalty_added: int  # penalty interest accrued since ``penalty_through``
    penalty_through: date | None  # penalty accrued up to and including this date


def age_installment(*, due_date: date, unpaid_principal: int, unpaid_interest: int, late_fee: int,
                    penalty_through: date | None, today: date, rules: ServicingRules) -> Charges:
    """Late fee and penalty interest of an installment overdue on ``today`` (idempotent per date).

    After the grace period the late fee is charged once, on what is unpaid of the installment;
    penalty interest accrues daily on the unpaid principal from the end of the grace period.
    """
    if (today - due_date).days > rules.grace_days and late_fee == 0:
        late_fee = late_fee_minor(unpaid_principal + unpaid_interest, rules)
    start = due_date + timedelta(days=rules.grace_days)
    through = max(penalty_through or start, start)
    if today > through:
        return Charges(late_fee, penalty_minor(unpaid_principal, (today - through).days, rules), today)
    return Charges(late_fee, 0, penalty_through)


# ---------------------------------------------------------------- installments


@dataclass(frozen=True, slots=True)
class InstallmentDue:
    """One installment as charged and as paid so far (integer minor units)."""

    due_date: date
    principal: int
    interest: int
    late_fee: int = 0
    penalty: int = 0
    principal_paid: int = 0
    interest_paid: int = 0
    late_fee_paid: int = 0
    penalty_paid: int = 0
    compensated: bool = False  # the risk reserve paid the holders; it now holds the claim

    def owed(self, part: Part) -> int:
        if part is Part.PENALTY:
            return self.penalty - self.penalty_paid
        if part is Part.FEE:
            return self.late_fee - self.late_fee_paid
        if part is Part.INTEREST:
            return self.interest - self.interest_paid
        return self.principal - self.principal_paid

    @property
    def due(self) -> int:
        """What is still owed on it, fees and penalty included."""
        return (self.principal - self.principal_paid + self.interest - self.interest_paid
                + self.late_fee - self.late_fee_paid + self.penalty - self.penalty_paid)


@dataclass(frozen=True, slots=True)
class InstallmentPaid:
    """What one payment put on one installment, by part."""

    penalty: int = 0
    fee: int = 0
    interest: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        return self.penalty + self.fee + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Applied:
    """What a payment did, by destination: the holders, platform fee income, the risk reserve."""

    principal_to_notes: int = 0
    interest_to_notes: int = 0  # interest and penalty interest
    late_fee: int = 0
    to_reserve: int = 0  # everything but the late fee of an installment the reserve compensated

    @property
    def total(self) -> int:
        return self.principal_to_notes + self.interest_to_notes + self.late_fee + self.to_reserve

    def __add__(self, other: Applied) -> Applied:
        return Applied(self.principal_to_notes + other.principal_to_notes,
                       self.interest_to_notes + other.interest_to_notes,
                       self.late_fee + other.late_fee, self.to_reserve + other.to_reserve)


def waterfall(installments: Sequence[InstallmentDue], amount: int,
              strategy: AllocationStrategy = DEFAULT_STRATEGY) -> tuple[list[InstallmentPaid], Applied]:
    """Apply ``amount`` to ``installments`` in the order given (oldest first), each in the strategy's order.

    Returns what went to each installment the payment reached (it stops at the first one it
    arrives at with nothing left, so the list may be shorter than ``installments``) and the total
    by destination. What is not owed is not applied: ``applied.total == min(amount, owed)``.
    """
    if amount < 0:
        raise ValueError("a payment cannot be negative")
    left = amount
    paid: list[InstallmentPaid] = []
    principal = interest = fee = reserve = 0
    for inst in installments:
        if left <= 0:
            break
        takes = dict.fromkeys(Part, 0)
        for part in strategy.order:
            take = min(left, inst.owed(part))
            if take > 0:
                takes[part] = take
                left -= take
        one = InstallmentPaid(takes[Part.PENALTY], takes[Part.FEE], takes[Part.INTEREST], takes[Part.PRINCIPAL])
        paid.append(one)
        fee += one.fee
        if inst.compensated:
            reserve += one.penalty + one.interest + one.principal
        else:
            principal += one.principal
            interest += one.penalty + one.interest
    return paid, Applied(principal, interest, fee, reserve)


def after_payment(inst: InstallmentDue, paid: InstallmentPaid) -> InstallmentDue:
    return replace(inst, principal_paid=inst.principal_paid + paid.principal,
                   interest_paid=inst.interest_paid + paid.interest, late_fee_paid=inst.late_fee_paid + paid.fee,
                   penalty_paid=inst.penalty_paid + paid.penalty)


def installment_status(current: str, inst: InstallmentDue, today: date) -> str:
    """An installment's status once a payment was applied to it."""
    if inst.due == 0:
        return PAID
    if current == WRITTEN_OFF:
        return current
    if inst.due_date < today:
        return OVERDUE
    if inst.principal_paid or inst.interest_paid:
        return PARTIAL
    return current


def days_past_due(installments: Sequence[tuple[date, int]], today: date) -> int:
    """Days since the oldest installment due before today and not fully paid (0 when up to date).

    ``installments``: (due date, amount still owed) pairs.
    """
    oldest = min((due_date for due_date, owed in installments if due_date < today and owed > 0), default=None)
    return (today - oldest).days if oldest else 0


def payable_indexes(installments: Sequence[tuple[date, int]], today: date, *, ahead: bool) -> list[int]:
    """Positions of the installments a regular payment may go to, oldest first.

    All due by today and still owed; with ``ahead`` also the installment of the current period
    (the first one due after today), so a borrower may pay it early. Paying further ahead is a
    prepayment. ``installments``: (due date, amount still owed) pairs, in schedule order.
    """
    out = [k for k, (due_date, owed) in enumerate(installments) if due_date <= today and owed > 0]
    if ahead:
        nxt = next((k for k, (due_date, _owed) in enumerate(installments) if due_date > today), None)
        if nxt is not None and installments[nxt][1] > 0:
            out.append(nxt)
    return out
