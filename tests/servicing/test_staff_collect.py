"""Finding 4: only the borrower repays through the borrower's routes; staff collect only through
collections, only on loans behind on payments, at most what is due, once per idempotency key."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from peerlend.accounts.models import Role
from peerlend.api.auth import issue_token
from peerlend.clock import business_date, set_business_date
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.servicing import collections
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import ServicingPayment
from tests.factories import make_staff, make_user
from tests.servicing.conftest import assert_audit_clean, available, deposit, schedule

CASH = 200_000_00


def _api(client, user, url, body, key):
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}", HTTP_IDEMPOTENCY_KEY=key)


def _late(disbursed_loan, days_late: int = 10):
    """A loan whose borrower missed the first installment ``days_late`` days ago, then deposited cash."""
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=days_late))
    loan.refresh_from_db()
    assert loan.status == "late"
    deposit(loan.borrower, CASH)
    return loan


def _nothing_moved(loan) -> None:
    assert ServicingPayment.objects.filter(loan=loan).count() == 0
    assert available(loan.borrower) == CASH


@pytest.mark.parametrize("role", [Role.COLLECTIONS, Role.OPERATOR, Role.ADMIN, Role.RISK_OFFICER])
def test_staff_cannot_repay_through_the_borrowers_api(client, disbursed_loan, role):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date - timedelta(days=5))  # nothing due yet
    deposit(loan.borrower, CASH)
    staff = make_staff(role)
    for i, (path, body) in enumerate([("repayments", {"amount": "100000.00"}), ("prepayments", {})]):
        r = _api(client, staff, f"/api/loans/{loan.pk}/{path}", body, key=f"k{i}")
        assert r.status_code in (403, 404), (path, r.status_code, r.content)
    _nothing_moved(loan)


def test_collections_cannot_repay_a_late_loan_through_the_borrowers_routes(client, disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    assert _api(client, agent, f"/api/loans/{loan.pk}/repayments", {"amount": "10.00"}, "a").status_code == 403
    client.force_login(agent)
    for path, data in (("repay", {"amount": "10.00", "idempotency_key": "w1"}), ("prepay", {"idempotency_key": "w2"})):
        r = client.post(f"/my/loans/{loan.pk}/{path}", data)
        assert r.status_code == 403, (path, r.status_code)
    _nothing_moved(loan)


def test_wrong_member_gets_403_from_the_web_repay_form(client, disbursed_loan):
    loan = _late(disbursed_loan)
    stranger = make_user(roles=("borrower", "investor"))
    client.force_login(stranger)
    for path in ("repay", "prepay"):
        r = client.post(f"/my/loans/{loan.pk}/{path}", {"amount": "10.00", "idempotency_key": path})
        assert r.status_code == 403, (path, r.status_code)
    _nothing_moved(loan)


def test_the_service_itself_refuses_staff(disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    with pytest.raises(PermissionDenied):
        sv.repay(actor=agent, loan_id=loan.pk, amount_minor=10_00)
    with pytest.raises(PermissionDenied):
        sv.prepay(actor=agent, loan_id=loan.pk)
    _nothing_moved(loan)


def test_collect_refuses_a_current_loan_and_non_collections_staff(disbursed_loan):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)  # due today, not overdue: the loan is current
    deposit(loan.borrower, CASH)
    agent = make_staff(Role.COLLECTIONS)
    with pytest.raises(ApplicationError) as exc:
        collections.collect(agent, loan.pk, 100_00, idempotency_key="c1")
    assert exc.value.code == "not_in_collections"
    with pytest.raises(PermissionDenied):
        collections.collect(make_staff(Role.OPERATOR), loan.pk, 100_00, idempotency_key="c2")
    _nothing_moved(loan)


def test_collect_takes_at_most_what_is_due_and_says_so(disbursed_loan):
    loan = _late(disbursed_loan)
    insts = schedule(loan)
    due_now = sum(i.due_minor for i in insts if i.due_date <= business_date())
    assert 0 < due_now < CASH
    agent = make_staff(Role.COLLECTIONS)
    result = collections.collect(agent, loan.pk, CASH, idempotency_key="big")
    assert available(loan.borrower) == CASH - due_now
    after = schedule(loan)
    # The installment not yet due is untouched: collections never take money ahead of time.
    assert after[1].principal_paid_minor == 0 and after[1].interest_paid_minor == 0
    assert after[0].due_minor == 0
    assert result["paid"] == f"{due_now / 100:.2f}"
    # Messages group thousands like the pages do (issue 12).
    assert f"{due_now / 100:,.2f}" in result["message"] and f"{CASH / 100:,.2f}" in result["message"]
    assert "not taken" in result["message"]
    payment = ServicingPayment.objects.get(loan=loan)
    assert payment.actor_id == agent.pk and payment.amount_minor == due_now
    assert_audit_clean()


def test_collect_on_a_charged_off_loan_is_a_recovery_of_what_remains(disbursed_loan, settings):
    settings.PEERLEND = {**settings.PEERLEND, "DEFAULT_DAYS": 10, "CHARGE_OFF_DAYS": 20}
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=25))
    loan.refresh_from_db()
    assert loan.status == "charged_off"
    deposit(loan.borrower, CASH)
    agent = make_staff(Role.COLLECTIONS)
    result = collections.collect(agent, loan.pk, 1_000_00, idempotency_key="r1")
    assert result["paid"] == "1000.00"
    assert ServicingPayment.objects.get(loan=loan).kind == "recovery"
    assert_audit_clean()


def test_double_submit_of_the_collect_form_pays_once(client, disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    client.force_login(agent)
    page = client.get("/collections/").content.decode()
    assert 'name="idempotency_key"' in page
    form = {"action": "collect", "amount": "100.00", "idempotency_key": "form-1"}
    first = client.post(f"/collections/{loan.pk}", form, follow=True)
    second = client.post(f"/collections/{loan.pk}", form, follow=True)
    assert first.status_code == second.status_code == 200
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert available(loan.borrower) == CASH - 100_00
    # The service owns the key: another path (an API, a script) with the same key replays, too.
    replay = collections.collect(agent, loan.pk, 100_00, idempotency_key="form-1")
    assert replay["paid"] == "100.00"
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    # Without a key nothing is collected.
    r = client.post(f"/collections/{loan.pk}", {"action": "collect", "amount": "100.00"}, follow=True)
    assert r.status_code == 200 and ServicingPayment.objects.filter(loan=loan).count() == 1


def test_the_borrower_still_repays_a_late_loan(client, disbursed_loan):
    loan = _late(disbursed_loan)
    r = _api(client, loan.borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "100.00"}, "b1")
    assert r.status_code == 201, r.content
    client.force_login(loan.borrower)
    r = client.post(f"/my/loans/{loan.pk}/repay", {"amount": "100.00", "idempotency_key": "b2"})
    assert r.status_code == 302
    assert ServicingPayment.objects.filter(loan=loan).count() == 2


def test_the_repayment_page_offers_pay_forms_only_to_the_borrower(client, disbursed_loan):
    loan = _late(disbursed_loan)
    client.force_login(make_staff(Role.COLLECTIONS))
    html = client.get(f"/my/loans/{loan.pk}/repayments").content.decode()
    assert f"/my/loans/{loan.pk}/repay\"" not in html and f"/my/loans/{loan.pk}/prepay\"" not in html
    client.force_login(loan.borrower)
    html = client.get(f"/my/loans/{loan.pk}/repayments").content.decode()
    assert f"/my/loans/{loan.pk}/repay\"" in html
