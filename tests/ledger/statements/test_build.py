"""The figures of a statement, from the small world of conftest (deposit, invest, repayment, withdrawal)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils import translation

from peerlend.ledger import services as ledger
from peerlend.ledger.models import Posting
from peerlend.ledger.statements import build
from peerlend.ledger.statements.build import TOTALS_IN, TOTALS_OUT, build_statement
from peerlend.ledger.statements.parts import EntryParts
from peerlend.ledger.statements.periods import parse_period
from peerlend.lending.models import Note
from peerlend.servicing.models import ServicingPayment


def _net(data) -> int:
    return sum(data.totals[k] for k in TOTALS_IN) - sum(data.totals[k] for k in TOTALS_OUT)


def test_investor_march_deposit_bid_and_disbursement(world):
    data = build_statement(world.investor, parse_period("2026-03"))
    assert [line.kind for line in data.lines] == ["deposit", "invest_freeze", "disburse"]
    assert (data.opening_available, data.opening_frozen) == (0, 0)
    assert data.totals["deposits"] == 20_000_00
    assert data.totals["invested"] == 8_000_00
    assert (data.closing_available, data.closing_frozen) == (12_000_00, 0)
    freeze = data.lines[1]
    assert (freeze.available_change, freeze.frozen_change, freeze.amount_in, freeze.amount_out) == (
        -8_000_00, 8_000_00, 0, 0)
    assert freeze.frozen_after == 8_000_00


def test_investor_april_repayment_split_and_withdrawal(world):
    data = build_statement(world.investor, parse_period("2026-04"))
    assert [line.kind for line in data.lines] == ["repayment", "withdrawal_freeze", "withdrawal"]
    repayment = data.lines[0]
    t = data.totals
    assert t["principal_received"] + t["interest_received"] - t["service_fees"] == repayment.amount_in > 0
    assert t["interest_received"] > 0 and t["service_fees"] > 0
    assert t["withdrawals"] == 1_000_00
    assert data.closing == data.opening + data.total_in - data.total_out == data.opening + _net(data)
    assert data.lines[-1].balance_after == data.closing
    assert all(line.reference for line in data.lines) and all(line.entry_id for line in data.lines)


def test_closing_equals_the_ledger_balance_at_period_end(world):
    for member in (world.investor, world.other, world.borrower):
        accounts = ledger.user_accounts(member)
        data = build_statement(member, parse_period("2026"))
        # Nothing was posted after April: the year's closing balances are today's balances.
        assert (data.closing_available, data.closing_frozen) == (
            accounts.available.balance_minor, accounts.frozen.balance_minor)
        march = build_statement(member, parse_period("2026-03"))
        april = build_statement(member, parse_period("2026-04"))
        assert march.closing == april.opening
        assert march.total_in + april.total_in == data.total_in


def test_opening_is_the_sum_of_earlier_postings(world):
    april = build_statement(world.investor, parse_period("2026-04"))
    earlier = Posting.objects.filter(account__owner=world.investor, entry__business_date__lt="2026-04-01")
    assert april.opening == earlier.aggregate(s=Sum("amount_minor"))["s"]


def test_investor_interest_equals_what_the_notes_received(world):
    for investor in (world.investor, world.other):
        data = build_statement(investor, parse_period("2026"))
        notes = Note.objects.filter(investor=investor)
        assert data.totals["interest_received"] == sum(n.interest_received_minor for n in notes)
        assert data.totals["principal_received"] == sum(n.principal_received_minor for n in notes)
        assert data.totals["service_fees"] == sum(n.fees_paid_minor for n in notes)


def test_borrower_disbursement_fee_and_repayment(world):
    march = build_statement(world.borrower, parse_period("2026-03"))
    assert march.totals["loans_disbursed"] == world.loan.amount_minor
    assert march.totals["origination_fees"] == world.loan.amount_minor - march.lines[0].amount_in > 0
    april = build_statement(world.borrower, parse_period("2026-04"))
    payment = ServicingPayment.objects.get(loan=world.loan)
    assert april.totals["interest_paid"] == payment.interest_to_notes_minor
    assert april.totals["principal_paid"] == payment.principal_to_notes_minor
    assert april.totals["deposits"] == payment.amount_minor


def test_yearly_tax_summary_by_month(world):
    data = build_statement(world.investor, parse_period("2026"))
    assert [m.month.month for m in data.tax_months] == list(range(1, 13))
    april = data.tax_months[3]
    assert april.interest == data.totals["interest_received"]
    assert april.net == april.interest - april.service_fees
    assert data.tax_total.interest == april.interest
    assert all(m.interest == 0 for i, m in enumerate(data.tax_months) if i != 3)


def test_descriptions_are_labels_never_codes(world):
    data = build_statement(world.investor, parse_period("2026"))
    # The investor was paid: the line says so, not the borrower's side of it ("Repayment").
    assert {line.description for line in data.lines} >= {"Deposit", "Withdrawal paid out",
                                                          "Repayment received (Repayment)"}
    assert not any("_" in line.description for line in data.lines)
    with translation.override("zh-hans"):
        zh = build_statement(world.investor, parse_period("2026"))
    assert "充值" in {line.description for line in zh.lines}


def test_the_payer_reads_the_payment_by_its_own_name(world):
    data = build_statement(world.borrower, parse_period("2026"))
    assert "Repayment" in {line.description for line in data.lines}
    assert not any(line.description.startswith("Repayment received") for line in data.lines)


def test_a_split_that_does_not_add_up_is_not_used(world, monkeypatch):
    monkeypatch.setattr(build, "parts_of", lambda member_id, ids: {i: EntryParts(principal=1, interest=1) for i in ids})
    data = build_statement(world.investor, parse_period("2026-04"))
    assert data.totals["interest_received"] == 0
    assert data.totals["repayments_received"] == data.lines[0].amount_in
    assert data.closing == data.opening + _net(data)


def test_member_without_movements(world):
    from tests.factories import make_user

    nobody = make_user()
    data = build_statement(nobody, parse_period("2026-04"))
    assert data.lines == [] and data.opening == data.closing == 0
