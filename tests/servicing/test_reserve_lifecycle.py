"""Risk-reserve mode through several compensations, a reserve that runs short mid-batch, default,
charge-off and a recovery after charge-off."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from peerlend.lending.models import Loan, Note
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_day, run_days
from peerlend.servicing.models import CompensationPending, Installment, PaymentKind, ServicingPayment
from tests.servicing.conftest import (
    assert_audit_clean,
    days,
    deposit,
    fund_reserve,
    platform,
    schedule,
    young_borrower,
)

# Short periods keep the story within ~70 business days; the order of events is the production one.
RULES = {"GUARANTEE_MODE": "risk_reserve", "GRACE_DAYS": 3, "COMPENSATION_DAYS": 5, "DEFAULT_DAYS": 40,
         "CHARGE_OFF_DAYS": 70}


@pytest.fixture(autouse=True)
def reserve_mode() -> Iterator[None]:
    with override_settings(PEERLEND={**settings.PEERLEND, **RULES}):
        yield


def money_call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a money service; one that takes an idempotency key gets a fresh one."""
    if "idempotency_key" in inspect.signature(fn).parameters:
        kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return fn(**kwargs)


def reserve() -> int:
    return platform("platform:risk_reserve")


def compensations(loan: Loan) -> list[ServicingPayment]:
    return list(ServicingPayment.objects.filter(loan=loan, kind=PaymentKind.COMPENSATION).order_by("pk"))


def _status(loan: Loan) -> str:
    loan.refresh_from_db()
    return loan.status


@pytest.mark.parametrize("chunk_size", [1, 500], ids=["chunk-per-loan", "one-chunk"])
def test_reserve_through_compensation_shortfall_default_charge_off_and_recovery(disbursed_loan, chunk_size):
    # Three loans nobody pays; B's installments are three times A's and C's.
    a, b, c = (disbursed_loan(amount_minor=amount, term_months=6, borrower=young_borrower())
               for amount in (2_000_00, 6_000_00, 2_000_00))
    first_a, first_b, first_c = (schedule(loan)[0] for loan in (a, b, c))
    assert first_b.payment_minor > first_a.payment_minor + first_c.payment_minor
    d1 = first_a.due_date
    assert first_b.due_date == first_c.due_date == d1
    # The reserve (fee shares plus capital) covers A's and C's first installments, not B's.
    short = first_a.payment_minor + first_c.payment_minor + 1
    assert reserve() < short
    fund_reserve(short - reserve())

    # Day d1+6: all three are eligible. In loan-id order A is paid, B does not fit and waits, C is still paid.
    run_days(d1, days(d1, 6), chunk_size=chunk_size)
    assert [len(compensations(loan)) for loan in (a, b, c)] == [1, 0, 1]
    assert reserve() == 1
    pending = CompensationPending.objects.get()
    assert (pending.installment_id, pending.amount_minor, pending.since) == (first_b.pk, first_b.payment_minor,
                                                                             days(d1, 6))
    assert_audit_clean()
    run_day(days(d1, 7), chunk_size=chunk_size)
    pending.refresh_from_db()
    assert (pending.since, pending.last_tried, reserve()) == (days(d1, 6), days(d1, 7), 1)

    # Capital arrives: the next batch pays B's holders and the shortfall is cleared.
    fund_reserve(100_000_00)
    run_day(days(d1, 8), chunk_size=chunk_size)
    assert len(compensations(b)) == 1 and not CompensationPending.objects.exists()
    holders_b = Note.objects.filter(loan=b)
    assert sum(n.principal_received_minor for n in holders_b) == first_b.principal_minor
    assert_audit_clean()

    # A's borrower pays the first installment late: the reserve is repaid (it holds the claim), the late
    # fee goes to the platform, the holders get nothing twice.
    first_a.refresh_from_db()
    owed = first_a.due_minor
    assert first_a.late_fee_minor > 0 and first_a.penalty_minor > 0
    deposit(a.borrower, owed)
    before = reserve(), [n.interest_received_minor for n in Note.objects.filter(loan=a)]
    result = money_call(sv.repay, actor=a.borrower, loan_id=a.pk, amount_minor=owed, today=days(d1, 8))
    assert result.breakdown["to_reserve"] == owed - first_a.late_fee_minor
    assert result.breakdown["principal"] == result.breakdown["interest"] == 0
    assert reserve() == before[0] + owed - first_a.late_fee_minor
    assert [n.interest_received_minor for n in Note.objects.filter(loan=a)] == before[1]
    assert_audit_clean()

    # Second installments: compensated again; B and C default at 40 days, A (one installment behind) is late.
    run_days(days(d1, 9), days(d1, 40), chunk_size=chunk_size)
    assert [len(compensations(loan)) for loan in (a, b, c)] == [2, 2, 2]
    assert [_status(loan) for loan in (a, b, c)] == ["late", "defaulted", "defaulted"]
    assert_audit_clean()

    # Third installments compensated; B and C charged off at 70 days past due.
    run_days(days(d1, 41), days(d1, 70), chunk_size=chunk_size)
    assert [len(compensations(loan)) for loan in (a, b, c)] == [3, 3, 3]
    a_defaulted = (days(d1, 70) - schedule(a)[1].due_date).days >= RULES["DEFAULT_DAYS"]
    assert [_status(loan) for loan in (a, b, c)] == ["defaulted" if a_defaulted else "late", "charged_off",
                                                     "charged_off"]
    notes_c = list(Note.objects.filter(loan=c).order_by("pk"))
    compensated_principal = sum(i.principal_minor for i in schedule(c)[:3])
    assert sum(n.charged_off_minor for n in notes_c) == c.amount_minor - compensated_principal
    assert all(n.status == "charged_off" and n.principal_outstanding_minor == 0 for n in notes_c)
    claims = [i for i in schedule(c) if i.compensated_on is not None]
    assert len(claims) == 3 and all(i.status != "written_off" for i in claims)
    assert reserve() >= 0
    assert_audit_clean()

    # A recovery on C: the reserve's claims (oldest) first, then the holders by what they wrote off.
    claim = sum(i.due_minor - (i.late_fee_minor - i.late_fee_paid_minor) for i in claims)
    late_fees = sum(i.late_fee_minor - i.late_fee_paid_minor for i in claims)
    deposit(c.borrower, claim + late_fees + 300_00)
    reserve_before = reserve()
    result = money_call(sv.repay, actor=c.borrower, loan_id=c.pk, amount_minor=claim + late_fees + 300_00,
                        today=days(d1, 71))
    payment = ServicingPayment.objects.get(pk=result.payment_id)
    assert payment.kind == PaymentKind.RECOVERY
    assert payment.to_reserve_minor == claim and reserve() == reserve_before + claim
    assert payment.late_fee_minor == late_fees
    recovered = payment.principal_to_notes_minor
    assert recovered > 0
    notes_after = list(Note.objects.filter(loan=c).order_by("pk"))
    assert sum(n.charged_off_minor for n in notes_after) == sum(n.charged_off_minor for n in notes_c) - recovered
    assert all(i.reserve_repaid_minor == i.compensated_principal_minor + i.compensated_interest_minor
               + i.penalty_paid_minor for i in Installment.objects.filter(pk__in=[i.pk for i in claims]))
    assert_audit_clean()
