"""Issue 12, servicing findings: partial prepayment after an installment paid early (3), payment messages that
say what really happened (4), the collections staff's own loan view (11), cancelling without investors (16)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages

from peerlend.accounts.models import Identity, Role
from peerlend.api.auth import issue_token
from peerlend.clock import set_business_date
from peerlend.errors import ApplicationError
from peerlend.lending import services as lending
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import ServicingPayment
from tests.factories import make_staff, make_user
from tests.lending.conftest import START
from tests.servicing.conftest import assert_audit_clean, available, days, deposit, schedule


def _grouped(minor: int) -> str:
    return f"{minor // 100:,}.{minor % 100:02d}"


# ---------------------------------------------------------------- finding 3


def test_partial_prepayment_after_the_current_installment_was_paid_early(disbursed_loan, borrower):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    today = days(START, 10)
    set_business_date(today)
    deposit(borrower, 20_000_00)
    paid = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=first.due_minor, today=today)
    assert paid.paid_minor == first.payment_minor
    # The current period's interest is paid up to its due date: nothing accrues to the day on top.
    quote = sv.prepayment_quote(loan, schedule(loan), today)
    assert quote.accrued_interest_minor == 0 and quote.current is not None and quote.current.number == 2
    result = sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=10_000_00, today=today)
    assert result.breakdown["principal"] > 0 and result.paid_minor <= 10_000_00
    after = schedule(loan)
    assert len(after) < 36 and sum(i.principal_minor for i in after) == loan.amount_minor
    assert after[0].due_minor == 0 and after[0].due_date == first.due_date
    loan.refresh_from_db()
    assert loan.status == "current"
    assert loan.principal_outstanding_minor == loan.amount_minor - first.principal_minor - result.breakdown["principal"]
    assert_audit_clean()
    # The loan still runs to its end: every installment paid on schedule closes it exactly.
    deposit(borrower, sum(i.due_minor for i in after))
    run_days(days(today, 1), after[-1].due_date)
    loan.refresh_from_db()
    assert loan.status == "fully_paid"
    assert_audit_clean()


def test_a_partly_paid_installment_refusal_says_what_is_owed_and_moves_nothing(disbursed_loan, borrower):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    today = days(START, 10)
    set_business_date(today)
    deposit(borrower, 20_000_00)
    sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=100_00, today=today)
    before = available(borrower)
    with pytest.raises(ApplicationError) as info:
        sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=5_000_00, today=today)
    assert info.value.code == "installment_partly_paid"
    assert _grouped(first.due_minor - 100_00) in info.value.message and first.due_date.isoformat() in info.value.message
    assert available(borrower) == before and ServicingPayment.objects.filter(loan=loan).count() == 1


# ---------------------------------------------------------------- finding 4


def test_paying_more_than_the_balance_holds_is_refused(disbursed_loan, borrower):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)
    deposit(borrower, 3_000_00)
    with pytest.raises(ApplicationError) as info:
        sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=99_999_999_00)
    assert info.value.code == "insufficient_funds" and info.value.status == 409
    assert "99,999,999.00" in info.value.message and "3,000.00" in info.value.message
    assert "stays" not in info.value.message and "Nothing was taken" in info.value.message
    # Prepaying: the whole loan costs more than the balance holds; the refusal names both.
    with pytest.raises(ApplicationError) as info:
        sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=99_999_999_00)
    assert info.value.code == "insufficient_funds" and "have 3,000.00 CNY" in info.value.message
    # Within the cost of prepaying in full but beyond the balance: refused too, nothing "stays".
    deposit(borrower, 7_000_00)
    with pytest.raises(ApplicationError) as info:
        sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=12_000_00)
    assert info.value.code == "insufficient_funds" and "10,000.00" in info.value.message
    assert available(borrower) == 10_000_00 and ServicingPayment.objects.count() == 0


def test_the_receipt_says_what_was_taken_what_stayed_and_what_is_owed(disbursed_loan, borrower):
    loan = disbursed_loan()
    first, second = schedule(loan)[:2]
    set_business_date(first.due_date)
    deposit(borrower, 10_000_00)
    owed = first.due_minor + second.due_minor
    result = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=10_000_00)
    assert result.paid_minor == owed and available(borrower) == 10_000_00 - owed
    msg = result.message
    assert f"{_grouped(owed)} CNY was taken from your available balance, which now holds " \
           f"{_grouped(10_000_00 - owed)} CNY" in msg
    assert f"You entered 10,000.00 CNY, but only {_grouped(owed)} CNY could be paid now" in msg
    assert f"the other {_grouped(10_000_00 - owed)} CNY was not taken" in msg
    paid = ServicingPayment.objects.get()
    assert f"It paid {_grouped(paid.principal_to_notes_minor)} CNY of principal, " \
           f"{_grouped(paid.interest_to_notes_minor)} CNY of interest" in msg
    third = schedule(loan)[2]
    rest = sum(i.due_minor for i in schedule(loan))
    assert f"Still owed: {_grouped(rest)} CNY in 34 installments; the next, {_grouped(third.due_minor)} CNY, " \
           f"is due on {third.due_date.isoformat()}." in msg
    # Prepaying in full with more than it costs: the receipt names the cost and what stayed.
    deposit(borrower, 40_000_00)
    quote = sv.prepayment_quote(loan, schedule(loan), first.due_date)
    have = available(borrower)
    result = sv.prepay(actor=borrower, loan_id=loan.pk, amount_minor=have)
    assert result.paid_minor == quote.total_minor and available(borrower) == have - quote.total_minor
    assert f"{_grouped(quote.total_minor)} CNY was taken" in result.message
    assert "Nothing more is owed on this loan." in result.message
    assert_audit_clean()


def test_the_page_shows_the_receipt_and_the_refusal(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)
    deposit(borrower, 3_000_00)
    client.force_login(borrower)
    r = client.post(f"/my/loans/{loan.pk}/repay", {"amount": "99999999", "idempotency_key": "over-1"})
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert any("your available balance is 3,000.00 CNY" in t for t in texts), texts
    assert not any("more than owed" in t for t in texts)
    assert ServicingPayment.objects.count() == 0


# ---------------------------------------------------------------- finding 11


def _late(disbursed_loan):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=20))
    loan.refresh_from_db()
    assert loan.status == "late"
    return loan


def test_collections_staff_get_their_own_loan_view_with_whom_to_call(client, disbursed_loan):
    loan = _late(disbursed_loan)
    pii = Identity.objects.get(user=loan.borrower).decrypted()
    agent = make_staff(Role.COLLECTIONS)
    client.force_login(agent)
    queue = client.get("/collections/").content.decode()
    assert pii["real_name"] in queue and f'href="tel:{pii["mobile"]}"' in queue
    assert f'href="/collections/loans/{loan.pk}/"' in queue and f"/my/loans/{loan.pk}/repayments" not in queue
    page = client.get(f"/collections/loans/{loan.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert pii["real_name"] in html and pii["mobile"] in html
    identity = Identity.objects.get(user=loan.borrower)
    for secret in (pii["resident_id"], identity.resident_id_masked, pii["bank_card"], identity.bank_card_masked):
        assert secret not in html and secret not in queue
    assert f"/my/loans/{loan.pk}/repay" not in html and f"/my/loans/{loan.pk}/prepay" not in html
    assert 'data-state="overdue"' in html
    # A note saved from the loan view comes back to it.
    r = client.post(f"/collections/{loan.pk}", {"action": "note", "method": "phone", "text": "will pay Friday",
                                               "back": "loan"})
    assert r.status_code == 302 and r["Location"] == f"/collections/loans/{loan.pk}/"
    assert "will pay Friday" in client.get(f"/collections/loans/{loan.pk}/").content.decode()
    # The borrower's own page is the borrower's alone now.
    assert client.get(f"/my/loans/{loan.pk}/repayments").status_code == 403


def test_the_collections_view_is_for_collections_and_loans_behind_only(client, disbursed_loan, borrower):
    late = _late(disbursed_loan)
    client.force_login(late.borrower)
    assert client.get(f"/collections/loans/{late.pk}/").status_code == 403
    client.force_login(make_staff(Role.COLLECTIONS))
    assert client.get("/collections/loans/999999/").status_code == 404
    current = disbursed_loan(borrower=make_user(roles=("borrower",)))
    assert client.get(f"/collections/loans/{current.pk}/").status_code == 403


# ---------------------------------------------------------------- finding 16


def _api_cancel(client, user, loan_id):
    return client.post(f"/api/loans/{loan_id}/cancel", data=json.dumps({"reason": "changed my mind"}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")


def test_cancelling_without_investors_does_not_claim_refunds(client, listed_loan, borrower):
    loan = listed_loan()
    client.force_login(borrower)
    r = client.post(f"/loans/{loan.pk}/cancel", {"reason": "no longer needed"})
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert texts == ["The application was cancelled. No one had invested in it, so there was nothing to refund."]
    other = listed_loan(borrower=make_user(roles=("borrower",)))
    body = _api_cancel(client, other.borrower, other.pk).json()
    assert body["status"] == "cancelled" and body["refunded_investors"] == 0 and body["refunded"] == "0.00"
    assert "refund" in body["message"] and "investors got back" not in body["message"]


def test_cancelling_with_investors_says_who_got_what_back(client, listed_loan, borrower, investor_factory):
    loan = listed_loan()
    for share in (1_000_00, 2_500_00):
        lending.invest(investor=investor_factory(cash_minor=share), loan_id=loan.pk, amount_minor=share)
    client.force_login(borrower)
    r = client.post(f"/loans/{loan.pk}/cancel", {"reason": "no longer needed"})
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert texts == ["The application was cancelled. 2 investors got back the 3,500.00 CNY they had committed to it."]
    other = listed_loan(borrower=make_user(roles=("borrower",)))
    lending.invest(investor=investor_factory(cash_minor=700_00), loan_id=other.pk, amount_minor=700_00)
    body = _api_cancel(client, other.borrower, other.pk).json()
    assert body["refunded_investors"] == 1 and body["refunded"] == "700.00"
    assert body["message"] == ("The application was cancelled. 1 investor got back the 700.00 CNY they had "
                               "committed to it.")
    assert_audit_clean()
