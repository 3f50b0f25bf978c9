"""Per-note figures: accrued interest, statuses, vintages, the replay of charge-offs, XIRR flows and edge cases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from peerlend.domain.returns import xirr
from peerlend.domain.schedule import daily_interest_minor
from peerlend.investing.portfolio import holdings_of, portfolio_of
from peerlend.investing.portfolio.history import replay_loan
from peerlend.investing.portfolio.summary import cash_flows
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import ServicingPayment
from tests.factories import make_user
from tests.investing.portfolio.conftest import fund, schedule


def _by_loan(world):
    return {h.loan_id: h for h in holdings_of(world.me.pk, world.today)}


def test_accrued_interest_since_the_last_due_date(world):
    solo = _by_loan(world)[world.solo.pk]
    last_due = schedule(world.solo)[2].due_date
    assert solo.status == "current"
    assert solo.accrued_interest_minor == daily_interest_minor(
        solo.principal_outstanding_minor, world.solo.annual_rate, (world.today - last_due).days) > 0


def test_late_note_accrues_nothing_and_expects_a_loss(world):
    shared = _by_loan(world)[world.shared.pk]
    assert shared.status == "late_31_120"
    assert shared.days_past_due == (world.today - schedule(world.shared)[1].due_date).days
    assert shared.accrued_interest_minor == 0
    assert shared.expected_loss_minor == (shared.principal_outstanding_minor + 1) // 2


def test_funding_note_is_cash_frozen_not_invested(world):
    funding = _by_loan(world)[world.funding.pk]
    assert funding.status == "funding" and not funding.disbursed and funding.months == ()
    assert portfolio_of(world.me, world.today).invested_minor == 16_000_00


def test_vintage_is_the_month_of_issue(world):
    d = world.solo.disbursed_on
    assert _by_loan(world)[world.solo.pk].vintage == f"{d.year:04d}-{d.month:02d}"


def test_xirr_is_of_the_dated_flows_with_the_running_notes_valued_today(world):
    holdings = holdings_of(world.me.pk, world.today)
    flows = cash_flows(holdings, world.today)
    assert flows[0] == (world.solo.disbursed_on, -16_000_00)  # both notes bought on the same day
    assert flows[-1][0] == world.today
    assert sum(h.value_minor for h in holdings if h.disbursed) == flows[-1][1]
    assert portfolio_of(world.me, world.today).xirr == xirr(flows)


def test_xirr_and_nar_are_new_without_investments(db):
    user = make_user(roles=("investor",))
    p = portfolio_of(user, date(2026, 3, 2))
    assert p.nar is None and p.adjusted_nar is None and p.xirr is None and p.notes == 0
    assert p.by_grade == () and p.by_status == ()


def test_no_period_ended_yet_is_new(listed_loan, investor_factory):
    """On the day of disbursement nothing has ended: NAR is New, XIRR undefined (all on one day)."""
    me = investor_factory(cash_minor=5_000_00)
    loan = fund(listed_loan, investor_factory, [(me, 5_000_00)])
    assert loan.status == "current"
    p = portfolio_of(me, loan.disbursed_on)
    assert p.nar is None and p.adjusted_nar is None and p.xirr is None
    assert p.principal_outstanding_minor == 5_000_00 and p.notes == p.running_notes == 1


def _note(pk, amount, status="active"):
    return Note(pk=pk, amount_minor=amount, status=status)


def _pay(pk, day, principal, interest, fee, kind="auto_debit"):
    return ServicingPayment(pk=pk, kind=kind, principal_to_notes_minor=principal, interest_to_notes_minor=interest,
                            service_fee_minor=fee, business_date=day, amount_minor=principal + interest)


def test_replay_splits_by_outstanding_then_charges_off_and_recovers():
    start = date(2026, 1, 10)
    loan = Loan(pk=1, status="charged_off", disbursed_on=start, closed_on=date(2026, 7, 1))
    notes = [_note(11, 3_000), _note(12, 1_000), _note(13, 500, status="refunded")]
    payments = [_pay(1, date(2026, 2, 10), 400, 100, 5),
                _pay(2, date(2026, 8, 1), 200, 0, 2, kind="recovery")]
    flows = replay_loan(loan, notes, payments)
    assert set(flows) == {11, 12}  # a refunded note never held the loan
    assert [f.principal for f in flows[11]][:1] == [300] and flows[12][0].principal == 100
    assert sum(f.fee for f in flows[11] + flows[12] if f.on == date(2026, 2, 10)) == 5
    offs = {k: [f for f in v if f.charge_off] for k, v in flows.items()}
    assert offs[11][0].charge_off == 2_700 and offs[12][0].charge_off == 900
    assert offs[11][0].on == date(2026, 7, 1)
    recovered = {k: sum(f.recovery for f in v) for k, v in flows.items()}
    assert recovered == {11: 150, 12: 50}  # by what each wrote off


def test_replay_charges_off_at_the_close_without_recoveries():
    loan = Loan(pk=2, status="charged_off", disbursed_on=date(2026, 1, 10), closed_on=date(2026, 7, 1))
    flows = replay_loan(loan, [_note(21, 1_000)], [])
    assert flows[21][0].charge_off == 1_000


def test_all_charged_off_is_a_total_loss(world):
    """Mark the shared loan charged off as the batch does: the note's NAR falls, the loss is realised."""
    note = Note.objects.get(investor=world.me, loan=world.shared)
    outstanding = note.principal_outstanding_minor
    Note.objects.filter(pk=note.pk).update(status="charged_off", charged_off_minor=outstanding,
                                           principal_outstanding_minor=0)
    Loan.objects.filter(pk=world.shared.pk).update(status="charged_off", closed_on=world.today - timedelta(days=1),
                                                   principal_outstanding_minor=0)
    h = _by_loan(world)[world.shared.pk]
    assert h.status == "charged_off" and h.expected_loss_minor == 0
    assert sum(f.charge_off for f in h.flows) == outstanding
    p = portfolio_of(world.me, world.today)
    assert p.realised_loss_minor == outstanding
    shared_nar = next(g for g in p.by_status if g.key == "charged_off").nar
    assert shared_nar is not None and shared_nar < Decimal("-0.5")


def test_queries_do_not_grow_with_the_notes(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert len(holdings_of(world.me.pk, world.today)) == 3


def test_note_without_a_placement_day_counts_from_the_issue(world):
    Note.objects.filter(investor=world.me, loan=world.solo).update(placed_on=None)
    assert _by_loan(world)[world.solo.pk].placed_on == world.solo.disbursed_on
