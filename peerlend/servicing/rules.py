"""The servicing rules read from ``settings.PEERLEND``: the one place settings become a ``ServicingRules``.

The rules themselves live in the pure core (``peerlend.domain.repayment``); the helpers below are
the settings-bound forms servicing and its callers use.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from peerlend.domain import repayment
from peerlend.domain.repayment import DEFAULT_STRATEGY, ServicingRules, strategy_named


def rule_int(name: str) -> int:
    return int(settings.PEERLEND[name])


def rule_rate(name: str) -> Decimal:
    return Decimal(str(settings.PEERLEND[name]))


def guarantee_mode() -> str:
    return servicing_rules().guarantee_mode


def servicing_rules() -> ServicingRules:
    """The rules in force now (read on every call: tests and the simulator change the settings at run time)."""
    conf = settings.PEERLEND
    return ServicingRules(
        grace_days=rule_int("GRACE_DAYS"),
        late_fee_rate=rule_rate("LATE_FEE_RATE"),
        late_fee_min_minor=rule_int("LATE_FEE_MIN_MINOR"),
        penalty_daily_rate=rule_rate("PENALTY_DAILY_RATE"),
        default_days=rule_int("DEFAULT_DAYS"),
        charge_off_days=rule_int("CHARGE_OFF_DAYS"),
        investor_service_fee_rate=rule_rate("INVESTOR_SERVICE_FEE_RATE"),
        guarantee_mode=str(conf.get("GUARANTEE_MODE", "none")),
        reserve_share_of_fee=rule_rate("RESERVE_SHARE_OF_FEE"),
        compensation_days=rule_int("COMPENSATION_DAYS"),
        prepayment_penalty_rate=rule_rate("PREPAYMENT_PENALTY_RATE"),
        allocation=strategy_named(str(conf.get("ALLOCATION_STRATEGY", DEFAULT_STRATEGY.name))),
    )


def reserve_share_minor(fee_minor: int) -> int:
    """The part of an origination fee that funds the risk reserve (0 unless in risk_reserve mode)."""
    return repayment.reserve_share_minor(fee_minor, servicing_rules())


def late_fee_for(unpaid_installment_minor: int) -> int:
    """max(LATE_FEE_RATE x the unpaid installment, LATE_FEE_MIN_MINOR), charged once per installment."""
    return repayment.late_fee_minor(unpaid_installment_minor, servicing_rules())


def penalty_for(overdue_principal_minor: int, days: int) -> int:
    """Penalty interest on overdue principal for ``days`` days (daily rate, actual/365)."""
    return repayment.penalty_minor(overdue_principal_minor, days, servicing_rules())
