"""The batch posts a chunk's ledger entries together: one balance UPDATE per account, payments linked."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from peerlend.ledger.models import LedgerAccount, Posting
from peerlend.servicing import batch
from peerlend.servicing.models import CompensationPending, PaymentKind, ServicingPayment
from tests.servicing.conftest import (
    assert_audit_clean,
    deposit,
    fund_reserve,
    platform,
    schedule,
    young_borrower,
)


def _account_updates(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if re.search(r"UPDATE\s+\"?ledger_ledgeraccount", q["sql"], re.IGNORECASE)]


def test_auto_debit_chunk_updates_each_account_once_and_links_payments(disbursed_loan):
    loans = []
    for _ in range(4):
        who = young_borrower()
        loans.append(disbursed_loan(amount_minor=3_000_00, term_months=3, borrower=who))
        deposit(who, 5_000_00)
    day = schedule(loans[0])[0].due_date
    fee_before = platform("platform:fee_income")
    with CaptureQueriesContext(connection) as ctx:
        assert batch.step_auto_debit(day, 500) == 4
    assert len(_account_updates(ctx)) == 1  # one chunk: every account (fee_income in each entry) once
    payments = list(ServicingPayment.objects.filter(kind=PaymentKind.AUTO_DEBIT).select_related("entry"))
    assert sorted(p.loan_id for p in payments) == sorted(loan.pk for loan in loans)
    fees = 0
    for p in payments:
        assert p.entry.posted and p.entry.reference == f"loan:{p.loan_id}"
        postings = dict(Posting.objects.filter(entry=p.entry).values_list("account__code", "amount_minor"))
        loan = next(loan for loan in loans if loan.pk == p.loan_id)
        assert postings[f"user:{loan.borrower_id}:available"] == -p.amount_minor
        assert sum(postings.values()) == 0
        fees += postings.get("platform:fee_income", 0)
    assert platform("platform:fee_income") - fee_before == fees > 0
    for account in LedgerAccount.objects.all():
        assert account.balance_minor == sum(
            Posting.objects.filter(account=account).values_list("amount_minor", flat=True))
    assert_audit_clean()


def test_compensation_in_one_chunk_stops_when_the_queued_entries_use_up_the_reserve(disbursed_loan):
    with override_settings(PEERLEND={**settings.PEERLEND, "GUARANTEE_MODE": "risk_reserve"}):
        loans = [disbursed_loan(amount_minor=3_000_00, term_months=3, borrower=young_borrower()) for _ in range(3)]
        first = [schedule(loan)[0] for loan in loans]
        owed = [inst.payment_minor for inst in first]  # loans are compensated in id order
        reserve = platform("platform:risk_reserve")
        # Enough for the first two installments, not the third (counting the reserve's fee shares).
        fund_reserve(max(0, owed[0] + owed[1] - reserve) + min(owed) // 2)
        reserve = platform("platform:risk_reserve")
        assert owed[0] + owed[1] <= reserve < sum(owed)
        cutoff = first[0].due_date + timedelta(days=int(settings.PEERLEND["COMPENSATION_DAYS"]) + 1)
        with CaptureQueriesContext(connection) as ctx:
            assert batch.step_compensation(cutoff, 500) == 2
        assert len(_account_updates(ctx)) == 1
        paid = list(ServicingPayment.objects.filter(kind=PaymentKind.COMPENSATION).select_related("entry"))
        assert len(paid) == 2 and all(p.entry.posted for p in paid)
        assert sorted(p.loan_id for p in paid) == [loans[0].pk, loans[1].pk]
        assert CompensationPending.objects.get().installment_id == first[2].pk
        assert platform("platform:risk_reserve") == reserve - sum(p.amount_minor for p in paid) >= 0
        assert_audit_clean()
