"""The portfolio's figures recomputed from the investor's ledger postings: cash, principal, interest, fees, NAR."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from peerlend.domain.returns import NoteMonth, net_annualized_return
from peerlend.domain.schedule import add_months
from peerlend.investing.portfolio import holdings_of, portfolio_of
from peerlend.ledger.models import LedgerAccount, Posting
from peerlend.lending.models import Note
from peerlend.servicing.models import PaymentKind, ServicingPayment

SERVICING_KINDS = list(PaymentKind.values)


def _postings(user, kind):
    account = LedgerAccount.objects.get(owner=user, kind=kind)
    return Posting.objects.filter(account=account).select_related("entry")


def test_cash_is_the_sum_of_the_postings(world):
    p = portfolio_of(world.me, world.today)
    assert p.cash_available_minor == sum(x.amount_minor for x in _postings(world.me, "available"))
    assert p.cash_frozen_minor == sum(x.amount_minor for x in _postings(world.me, "frozen")) == 1_000_00


def test_net_receipts_equal_the_servicing_postings(world):
    p = portfolio_of(world.me, world.today)
    received = [x for x in _postings(world.me, "available") if x.entry.kind in SERVICING_KINDS]
    assert received, "the world must have repayments"
    assert p.principal_received_minor + p.interest_received_minor - p.fees_paid_minor == sum(
        x.amount_minor for x in received)


def test_sole_holder_parts_equal_the_payment_rows_of_the_entries(world):
    """On a loan held alone, each entry crediting the investor carries the payment's full parts."""
    entries = {x.entry_id for x in _postings(world.me, "available") if x.entry.reference == f"loan:{world.solo.pk}"}
    payments = ServicingPayment.objects.filter(entry_id__in=entries)
    assert payments.count() == 3
    solo = [h for h in holdings_of(world.me.pk, world.today) if h.loan_id == world.solo.pk]
    assert len(solo) == 1
    assert solo[0].principal_received_minor == sum(x.principal_to_notes_minor for x in payments)
    assert solo[0].interest_received_minor == sum(x.interest_to_notes_minor for x in payments)
    assert solo[0].fees_paid_minor == sum(x.service_fee_minor for x in payments)
    assert solo[0].principal_outstanding_minor == 12_000_00 - solo[0].principal_received_minor


def test_replayed_flows_match_postings_day_by_day_and_the_note_rows(world):
    holdings = holdings_of(world.me.pk, world.today)
    by_day = defaultdict(int)
    for h in holdings:
        for f in h.flows:
            by_day[f.on] += f.principal + f.interest + f.recovery - f.fee
    posted = defaultdict(int)
    for x in _postings(world.me, "available"):
        if x.entry.kind in SERVICING_KINDS:
            posted[x.entry.business_date] += x.amount_minor
    assert dict(by_day) == dict(posted)
    for h in holdings:
        note = Note.objects.get(pk=h.note_id)
        assert sum(f.principal + f.recovery for f in h.flows) == note.principal_received_minor
        assert sum(f.interest for f in h.flows) == note.interest_received_minor
        assert sum(f.fee for f in h.flows) == note.fees_paid_minor


def test_nar_recomputed_from_the_postings(world):
    """NAR of the loan held alone, rebuilt from the entries that credited the investor (to 0.01 %)."""
    loan = world.solo
    payments = {p.entry_id: p for p in ServicingPayment.objects.filter(loan=loan)}
    credited = [x for x in _postings(world.me, "available") if x.entry_id in payments]
    outstanding = loan.amount_minor
    months = []
    k = 1
    while add_months(loan.disbursed_on, k) <= world.today:
        lo, hi = add_months(loan.disbursed_on, k - 1), add_months(loan.disbursed_on, k)
        inside = [payments[x.entry_id] for x in credited if lo < x.entry.business_date <= hi]
        # The investor's credit is the payment's net: principal + interest - fee.
        assert sum(x.amount_minor for x in credited if lo < x.entry.business_date <= hi) == sum(
            p.principal_to_notes_minor + p.interest_to_notes_minor - p.service_fee_minor for p in inside)
        months.append(NoteMonth(outstanding, sum(p.interest_to_notes_minor for p in inside),
                                sum(p.service_fee_minor for p in inside)))
        outstanding -= sum(p.principal_to_notes_minor for p in inside)
        k += 1
    expected = net_annualized_return(months)
    solo_only = [h for h in holdings_of(world.me.pk, world.today) if h.loan_id == loan.pk]
    got = net_annualized_return(m for h in solo_only for m in h.months)
    assert abs(got - expected) < Decimal("0.0001")
    assert Decimal("0.03") < got < Decimal("0.30")  # interest less a 1 % fee, all repaid on time


def test_whole_portfolio_figures(world):
    p = portfolio_of(world.me, world.today)
    notes = list(Note.objects.filter(investor=world.me))
    held = [n for n in notes if n.status != "pending"]
    assert p.notes == 2 and p.invested_minor == 16_000_00
    assert p.principal_outstanding_minor == sum(n.principal_outstanding_minor for n in held)
    assert p.interest_received_minor == sum(n.interest_received_minor for n in held)
    assert p.realised_loss_minor == 0
    # The shared loan missed its second installment (due about 50 days ago): 31-120 days, half expected lost.
    shared = Note.objects.get(investor=world.me, loan=world.shared)
    assert p.expected_loss_minor == shared.principal_outstanding_minor // 2
    assert p.nar is not None and p.adjusted_nar is not None and p.adjusted_nar < p.nar
    assert p.xirr is not None
    assert {g.key for g in p.by_status} == {"current", "late_31_120", "funding"}
    assert sum(g.invested_minor for g in p.by_grade) == p.invested_minor
    assert {g.key for g in p.by_term} == {"12", "6"}


def test_xirr_recomputed_from_the_postings(world):
    """Investments are what left the frozen account in disbursements, receipts the servicing credits."""
    from peerlend.domain.returns import xirr

    flows = defaultdict(int)
    for x in _postings(world.me, "frozen"):
        if x.entry.kind == "disburse":
            flows[x.entry.business_date] += x.amount_minor  # negative: the notes bought
    for x in _postings(world.me, "available"):
        if x.entry.kind in SERVICING_KINDS:
            flows[x.entry.business_date] += x.amount_minor
    running = [h for h in holdings_of(world.me.pk, world.today) if h.disbursed]
    flows[world.today] += sum(h.principal_outstanding_minor - h.expected_loss_minor + h.accrued_interest_minor
                              for h in running)
    expected = xirr(sorted(flows.items()))
    got = portfolio_of(world.me, world.today).xirr
    assert got is not None and abs(got - expected) < Decimal("0.0001")
