"""The monthly cash-flow selector reconciles with the ledger postings and the note rows, to the cent."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise

import pytest

from peerlend.investing.cash_flows import CashFlows, MonthFlow, monthly_cash_flows
from peerlend.ledger import services as ledger
from peerlend.ledger.models import Posting
from peerlend.lending.models import Note
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import Installment, PaymentKind
from tests.servicing.conftest import days, deposit

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(investor_factory, funded_loan):
    """``me`` holds two notes of a loan paid on time and one of a loan charged off and partly recovered."""
    me, other, third = investor_factory(), investor_factory(), investor_factory()
    good = funded_loan([(me, 2_000_00), (other, 3_000_00), (me, 1_050_00), (third, 950_00)])
    bad = funded_loan([(other, 2_500_00), (me, 1_500_00), (third, 2_000_00)])
    insts = list(Installment.objects.filter(loan=good).order_by("number"))
    deposit(good.borrower, sum(i.payment_minor for i in insts[:8]))
    first_due = insts[0].due_date
    run_days(first_due, days(first_due, 150))  # the good loan pays monthly; the bad one is charged off
    bad.refresh_from_db()
    assert bad.status == "charged_off"
    deposit(bad.borrower, 1_234_56)
    sv.repay(actor=bad.borrower, loan_id=bad.pk, amount_minor=1_234_56)  # a recovery
    return {"me": me, "other": other, "good": good, "bad": bad}


def _month(day: date) -> date:
    return day.replace(day=1)


def _ledger_by_month(user, kinds, account: str) -> dict[date, int]:
    accounts = ledger.user_accounts(user)
    target = accounts.available if account == "available" else accounts.frozen
    out: dict[date, int] = defaultdict(int)
    for amount, day in Posting.objects.filter(account=target, entry__kind__in=kinds).values_list(
            "amount_minor", "entry__business_date"):
        out[_month(day)] += amount
    return dict(out)


def test_received_each_month_equals_the_servicing_postings(book):
    flows = monthly_cash_flows(book["me"])
    postings = _ledger_by_month(book["me"], PaymentKind.values, "available")
    series = {m.month: m.received_minor for m in flows.months if m.received_minor}
    assert len(series) >= 5  # several months of repayments, and the recovery
    assert series == postings
    months = [m.month for m in flows.months]
    assert all(_next_month(a) == b for a, b in pairwise(months))  # quiet months kept


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def test_invested_equals_what_left_the_frozen_account_at_disbursement(book):
    flows = monthly_cash_flows(book["me"])
    postings = _ledger_by_month(book["me"], ["disburse"], "frozen")
    assert {m.month: -m.invested_minor for m in flows.months if m.invested_minor} == postings
    assert flows.total("invested_minor") == 2_000_00 + 1_050_00 + 1_500_00


def test_parts_add_up_to_the_note_rows(book):
    flows = monthly_cash_flows(book["me"])
    notes = list(Note.objects.filter(investor=book["me"]))
    assert flows.total("principal_minor") + flows.total("recoveries_minor") == sum(
        n.principal_received_minor for n in notes)
    assert flows.total("interest_minor") == sum(n.interest_received_minor for n in notes)
    assert flows.total("fees_minor") == sum(n.fees_paid_minor for n in notes)
    assert flows.total("losses_minor") - flows.total("recoveries_minor") == sum(n.charged_off_minor for n in notes)
    assert flows.total("recoveries_minor") > 0 and flows.total("losses_minor") > 0


def test_loss_is_booked_in_the_month_of_the_charge_off(book):
    flows = monthly_cash_flows(book["me"])
    lost = {m.month: m.losses_minor for m in flows.months if m.losses_minor}
    assert list(lost) == [_month(book["bad"].closed_on)]
    assert sum(lost.values()) == Note.objects.get(investor=book["me"], loan=book["bad"]).amount_minor


def test_another_investors_series_is_their_own(book):
    mine, theirs = monthly_cash_flows(book["me"]), monthly_cash_flows(book["other"])
    assert mine.total("invested_minor") != theirs.total("invested_minor")
    assert {m.month: m.received_minor for m in theirs.months if m.received_minor} == _ledger_by_month(
        book["other"], PaymentKind.values, "available")


def test_months_are_contiguous_and_cumulative_sums_run_on():
    flows = CashFlows((MonthFlow(date(2026, 11, 1), invested_minor=1_000_00),
                       MonthFlow(date(2026, 12, 1)),
                       MonthFlow(date(2027, 1, 1), principal_minor=80_00, interest_minor=10_00, fees_minor=1_00,
                                 losses_minor=20_00, recoveries_minor=5_00)))
    points = flows.cumulative()
    assert [p.invested_minor for p in points] == [1_000_00] * 3
    assert [p.net_income_minor for p in points] == [0, 0, 10_00 + 5_00 - 1_00 - 20_00]
    assert flows.months[2].received_minor == 80_00 + 10_00 + 5_00 - 1_00


def test_an_investor_without_disbursed_notes_has_no_flows(investor_factory):
    assert monthly_cash_flows(investor_factory()).empty
