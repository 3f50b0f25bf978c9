"""The pure repayment core on all four repayment methods and zero-rate loans: waterfall, split, charges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.domain.holder_split import service_fee_minor, split_over_holders
from peerlend.domain.repayment import (
    DEFAULT_STRATEGY,
    STRATEGIES,
    AllocationStrategy,
    InstallmentDue,
    Part,
    ServicingRules,
    after_payment,
    age_installment,
    days_past_due,
    installment_status,
    late_fee_minor,
    payable_indexes,
    penalty_minor,
    reserve_share_minor,
    strategy_named,
    waterfall,
)
from peerlend.domain.schedule import METHODS, build_schedule

START = date(2025, 1, 15)
RATES = [Decimal("0.1199"), Decimal("0.06"), Decimal(0)]  # zero-rate loans too
METHOD_RATES = [(m, r) for m in METHODS for r in RATES]


def _dues(method: str, rate: Decimal, amount: int = 20_000_00, term: int = 12) -> list[InstallmentDue]:
    return [InstallmentDue(i.due_date, i.principal, i.interest) for i in build_schedule(amount, rate, term, method,
                                                                                          START)]


# ---------------------------------------------------------------- waterfall


def test_default_strategy_pays_penalty_then_fee_then_interest_then_principal():
    assert DEFAULT_STRATEGY.order == (Part.PENALTY, Part.FEE, Part.INTEREST, Part.PRINCIPAL)
    assert strategy_named("penalty-fee-interest-principal") is DEFAULT_STRATEGY
    inst = InstallmentDue(START, principal=1000, interest=100, late_fee=50, penalty=7)
    paid, applied = waterfall([inst], 120)
    assert (paid[0].penalty, paid[0].fee, paid[0].interest, paid[0].principal) == (7, 50, 63, 0)
    assert (applied.interest_to_notes, applied.late_fee, applied.principal_to_notes) == (70, 50, 0)


def test_another_named_strategy_changes_the_order():
    strategy = STRATEGIES["interest-principal-penalty-fee"]
    inst = InstallmentDue(START, principal=1000, interest=100, late_fee=50, penalty=7)
    paid, _applied = waterfall([inst], 1100, strategy)
    assert (paid[0].interest, paid[0].principal, paid[0].penalty, paid[0].fee) == (100, 1000, 0, 0)


def test_a_strategy_must_name_every_part_once():
    with pytest.raises(ValueError, match="exactly once"):
        AllocationStrategy("broken", (Part.INTEREST, Part.INTEREST, Part.FEE, Part.PRINCIPAL))
    with pytest.raises(ValueError, match="unknown allocation strategy"):
        strategy_named("nope")


def test_compensated_installment_repays_the_reserve_except_the_late_fee():
    inst = InstallmentDue(START, principal=1000, interest=100, late_fee=50, penalty=7, compensated=True)
    _paid, applied = waterfall([inst], 2000)
    assert (applied.to_reserve, applied.late_fee, applied.principal_to_notes, applied.interest_to_notes) == (
        1107, 50, 0, 0)


def test_waterfall_stops_at_the_first_installment_it_reaches_empty():
    dues = _dues("equal_installment", RATES[0])
    paid, applied = waterfall(dues, dues[0].due)
    assert len(paid) == 1 and applied.total == dues[0].due


@pytest.mark.parametrize(("method", "rate"), METHOD_RATES)
@settings(max_examples=40, deadline=None)
@given(amounts=st.lists(st.integers(min_value=1, max_value=5_000_00), min_size=1, max_size=30))
def test_every_payment_applies_exactly_and_principal_repaid_plus_outstanding_is_the_loan(method, rate, amounts):
    amount = 20_000_00
    dues = _dues(method, rate, amount)
    repaid = 0
    for pay in amounts:
        owed = sum(d.due for d in dues)
        paid, applied = waterfall(dues, pay)
        assert applied.total == min(pay, owed) == sum(p.total for p in paid)
        dues = [after_payment(d, p) for d, p in zip(dues, paid, strict=False)] + dues[len(paid):]
        repaid += applied.principal_to_notes
        outstanding = sum(d.principal - d.principal_paid for d in dues)
        assert repaid + outstanding == amount
        assert all(d.due >= 0 for d in dues)


# ---------------------------------------------------------------- charges, status, days past due


def test_charges_follow_the_rules_value():
    rules = ServicingRules(late_fee_rate=Decimal("0.05"), late_fee_min_minor=15_00,
                           penalty_daily_rate=Decimal("0.0005"), reserve_share_of_fee=Decimal("0.30"))
    assert late_fee_minor(100_00, rules) == 15_00 and late_fee_minor(1_000_00, rules) == 50_00
    assert penalty_minor(10_000_00, 10, rules) == 50_00 and penalty_minor(0, 10, rules) == 0
    assert reserve_share_minor(1_000_00, rules) == 0  # no guarantee: the reserve takes nothing
    reserve = ServicingRules(guarantee_mode="risk_reserve")
    assert reserve_share_minor(1_000_01, reserve) == 300_00
    with pytest.raises(ValueError, match="GUARANTEE_MODE"):
        ServicingRules(guarantee_mode="insured")


def test_days_past_due_and_what_a_payment_may_cover():
    due = [(START, 100), (START + timedelta(days=31), 100), (START + timedelta(days=59), 100)]
    today = START + timedelta(days=40)
    assert days_past_due(due, today) == 40
    assert days_past_due([(START, 0), *due[1:]], today) == 9
    assert payable_indexes(due, today, ahead=False) == [0, 1]
    assert payable_indexes(due, today, ahead=True) == [0, 1, 2]
    assert payable_indexes([*due[:2], (due[2][0], 0)], today, ahead=True) == [0, 1]


def test_installment_status_after_a_payment():
    inst = InstallmentDue(START, principal=100, interest=10)
    assert installment_status("scheduled", after_payment(inst, waterfall([inst], 110)[0][0]), START) == "paid"
    part = after_payment(inst, waterfall([inst], 50)[0][0])
    assert installment_status("scheduled", part, START) == "partial"
    assert installment_status("partial", part, START + timedelta(days=1)) == "overdue"
    assert installment_status("written_off", part, START + timedelta(days=1)) == "written_off"


# ---------------------------------------------------------------- the split over holders

weights_st = st.lists(st.integers(min_value=0, max_value=200_000_00), min_size=1, max_size=25).filter(any)


@settings(max_examples=300, deadline=None)
@given(weights=weights_st, principal=st.integers(0, 500_000_00), interest=st.integers(0, 50_000_00),
       fee_rate=st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("0.015"), Decimal("0.2")]))
def test_every_holder_net_within_one_unit_and_parts_sum_exactly(weights, principal, interest, fee_rate):
    fee = service_fee_minor(principal + interest, fee_rate)
    split = split_over_holders(principal, interest, fee, weights)
    total_w = sum(weights)
    assert (sum(split.principal), sum(split.interest), split.fee_total) == (principal, interest, fee)
    for k, w in enumerate(weights):
        for part, total in ((split.principal, principal), (split.interest, interest), (split.fee, fee)):
            assert part[k] >= 0 and abs(part[k] - Fraction(total * w, total_w)) < 1
        assert split.net[k] == split.principal[k] + split.interest[k] - split.fee[k]
        assert abs(split.net[k] - Fraction((principal + interest - fee) * w, total_w)) < 1


@pytest.mark.parametrize(("method", "rate"), METHOD_RATES)
@settings(max_examples=25, deadline=None)
@given(notes=st.lists(st.integers(min_value=1, max_value=400).map(lambda u: u * 50_00), min_size=1, max_size=30),
       fee_rate=st.sampled_from([Decimal("0.01"), Decimal("0.02")]), penalty=st.integers(0, 500_00))
def test_every_repayment_of_every_method_reaches_each_holder_within_one_unit(method, rate, notes, fee_rate, penalty):
    """Pay a loan off installment by installment (with some penalty interest): every holder, every payment."""
    amount = sum(notes)
    outstanding = list(notes)
    for d in _dues(method, rate, amount, term=6):
        d = InstallmentDue(d.due_date, d.principal, d.interest, penalty=penalty)
        _paid, applied = waterfall([d], d.due)
        principal, interest = applied.principal_to_notes, applied.interest_to_notes
        fee = service_fee_minor(principal + interest, fee_rate)
        split = split_over_holders(principal, interest, fee, outstanding)
        total_w = sum(outstanding)
        for k, w in enumerate(outstanding):
            assert abs(split.net[k] - Fraction((principal + interest - fee) * w, total_w)) < 1
        outstanding = [o - p for o, p in zip(outstanding, split.principal, strict=True)]
        assert all(o >= 0 for o in outstanding)
    assert sum(outstanding) == 0


def test_split_refuses_negative_parts():
    with pytest.raises(ValueError, match="non-negative"):
        split_over_holders(-1, 0, 0, [1, 2])


def test_aging_charges_the_late_fee_once_after_grace_and_penalty_from_the_end_of_grace():
    rules = ServicingRules(grace_days=15)
    kw = {"due_date": START, "unpaid_principal": 10_000_00, "unpaid_interest": 100_00, "rules": rules}
    inside = age_installment(late_fee=0, penalty_through=None, today=START + timedelta(days=15), **kw)
    assert (inside.late_fee, inside.penalty_added, inside.penalty_through) == (0, 0, None)
    after = age_installment(late_fee=0, penalty_through=None, today=START + timedelta(days=25), **kw)
    assert after.late_fee == 505_00 and after.penalty_added == 50_00  # 5 % of 10,100; 10 days x 0.05 %
    assert after.penalty_through == START + timedelta(days=25)
    again = age_installment(late_fee=after.late_fee, penalty_through=after.penalty_through,
                            today=START + timedelta(days=25), **kw)
    assert (again.late_fee, again.penalty_added) == (505_00, 0)  # the same day twice charges nothing more
