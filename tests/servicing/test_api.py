"""Repayment API: idempotency, overpayment, other people's and closed loans."""

from __future__ import annotations

import json

from peerlend.api.auth import issue_token
from peerlend.servicing.models import ServicingPayment
from tests.factories import make_user
from tests.servicing.conftest import assert_audit_clean, available, deposit, schedule


def _post(client, user, url, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_overpay_takes_only_what_is_owed_and_says_so(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    first, second = schedule(loan)[:2]
    from peerlend.clock import set_business_date

    set_business_date(first.due_date)
    deposit(borrower, 10_000_00)
    owed = first.payment_minor + second.payment_minor  # due today + the next one (paying ahead)
    r = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "10000.00"}, key="k1")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["paid"] == f"{owed / 100:.2f}"
    assert body["excess_kept_available"] == f"{(10_000_00 - owed) / 100:.2f}"
    assert "stays in your available balance" in body["message"]
    assert available(borrower) == 10_000_00 - owed
    # Same key, same body: the first answer again, nothing moves.
    again = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "10000.00"}, key="k1")
    assert again.status_code == 201 and again.json() == body
    assert ServicingPayment.objects.count() == 1 and available(borrower) == 10_000_00 - owed
    # Same key, different body: 422.
    other = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "1.00"}, key="k1")
    assert other.status_code == 422
    # Nothing more is due now: a clear 409.
    more = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "1.00"}, key="k2")
    assert more.status_code == 409 and "prepayment" in more.json()["detail"]
    assert_audit_clean()


def test_not_theirs_closed_missing_key_bad_amount(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    stranger = make_user(roles=("borrower",))
    deposit(stranger, 1_000_00)
    r = _post(client, stranger, f"/api/loans/{loan.pk}/repayments", {"amount": "10.00"}, key="a")
    assert r.status_code == 403 and "not yours" in r.json()["detail"]
    assert available(stranger) == 1_000_00
    r = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "10.00"})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_required"
    for bad in ("-1.00", "0", 5, "1.001"):
        r = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": bad}, key=f"b{bad}")
        assert r.status_code == 400, (bad, r.content)
    r = _post(client, borrower, "/api/loans/999999/repayments", {"amount": "1.00"}, key="c")
    assert r.status_code == 404
    # Insufficient cash: 409 and nothing moves.
    r = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "100.00"}, key="d")
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    # Prepay in full, then the loan is closed.
    deposit(borrower, 40_000_00)
    r = _post(client, borrower, f"/api/loans/{loan.pk}/prepayments", {}, key="e")
    assert r.status_code == 201, r.content
    assert r.json()["loan_status"] == "prepaid"
    r = _post(client, borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "1.00"}, key="f")
    assert r.status_code == 409 and r.json()["code"] == "loan_closed"
    assert ServicingPayment.objects.count() == 1
    assert_audit_clean()


def test_schedule_and_quote_endpoints(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    r = client.get(f"/api/loans/{loan.pk}/schedule", HTTP_AUTHORIZATION=f"Bearer {issue_token(borrower)}")
    assert r.status_code == 200 and len(r.json()) == 36 and r.json()[0]["state"] == "upcoming"
    r = client.get(f"/api/loans/{loan.pk}/prepayment-quote", HTTP_AUTHORIZATION=f"Bearer {issue_token(borrower)}")
    assert r.status_code == 200 and r.json()["principal"] == "36000.00"
    stranger = make_user(roles=("investor",))
    r = client.get(f"/api/loans/{loan.pk}/schedule", HTTP_AUTHORIZATION=f"Bearer {issue_token(stranger)}")
    assert r.status_code == 403
