"""Defect 6: the inbox stayed empty. Every event a member cares about reaches the inbox (and the e-mail/SMS
outbox on the channels they chose), once per member and event, in the use case's own transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from peerlend import notify
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.ledger.gateway import sandbox
from peerlend.lending import services as lending
from peerlend.servicing import batch, notices
from peerlend.servicing import services as sv
from peerlend.servicing.models import Notification, ServicingPayment
from tests.factories import make_user
from tests.lending.conftest import application
from tests.servicing.conftest import deposit, schedule


def inbox(user, event=None):
    rows = Notification.objects.filter(user=user, channel="inbox")
    return list(rows.filter(event=event) if event else rows)


def events(user) -> set[str]:
    """What the member heard about, leaving out the deposits the test set-up made."""
    return {n.event for n in inbox(user)} - {"deposit_completed"}


def test_borrower_and_investors_hear_each_step_from_approval_to_payout(borrower, officer, investor_factory):
    loan = lending.submit_application(borrower=borrower, data=application(amount_minor=6_000_00))
    lending.approve(officer=officer, loan_id=loan.pk, reason="ok")
    assert events(borrower) == {"application_approved", "loan_listed"}
    first, second = investor_factory(), investor_factory()
    lending.invest(investor=first, loan_id=loan.pk, amount_minor=4_000_00)
    assert events(first) == {"investment_placed"}
    assert "4,000.00 CNY" in inbox(first, "investment_placed")[0].body
    lending.invest(investor=second, loan_id=loan.pk, amount_minor=2_000_00)
    assert {"loan_funded", "loan_disbursed"} <= events(borrower)
    fee = lending.origination_fee_minor(loan)
    paid_out = inbox(borrower, "loan_disbursed")[0].body
    assert f"{(6_000_00 - fee) // 100:,}." in paid_out and str(schedule(loan)[0].due_date) in paid_out
    assert events(first) == {"investment_placed", "investment_disbursed"}
    # Inbox and SMS (verified mobile; no e-mail address given); the inbox row is delivered as it is written.
    rows = Notification.objects.filter(user=borrower, event="loan_disbursed")
    assert set(rows.values_list("channel", flat=True)) == {"inbox", "sms"}
    assert inbox(borrower, "loan_disbursed")[0].status == "sent"


def test_rejection_and_document_requests_reach_the_borrower(borrower, officer):
    loan = lending.submit_application(borrower=borrower, data=application())
    lending.request_documents(officer=officer, loan_id=loan.pk, reason="payslips")
    lending.provide_documents(actor=borrower, loan_id=loan.pk, documents=[
        lending.UploadedDocument("income", "p.pdf", "application/pdf", b"%PDF p")])
    lending.request_documents(officer=officer, loan_id=loan.pk, reason="bank statements")
    asked = inbox(borrower, "documents_requested")
    assert len(asked) == 2 and {"payslips" in m.body for m in asked} == {True, False}  # a second request is news
    lending.provide_documents(actor=borrower, loan_id=loan.pk, documents=[
        lending.UploadedDocument("other", "s.pdf", "application/pdf", b"%PDF s")])
    lending.reject(officer=officer, loan_id=loan.pk, reason="income too low")
    assert "income too low" in inbox(borrower, "application_rejected")[0].body


def test_each_repayment_tells_every_investor_their_principal_interest_and_fee(disbursed_loan):
    loan = disbursed_loan(amount_minor=9_000_00, term_months=12, shares=(6_000_00, 3_000_00))
    holders = [n.investor for n in loan.notes.order_by("pk")]
    first = schedule(loan)[0]
    deposit(loan.borrower, first.payment_minor)
    set_business_date(first.due_date)
    sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=first.payment_minor)
    payment = ServicingPayment.objects.get(loan=loan)
    received = [inbox(h, "repayment_received") for h in holders]
    assert [len(r) for r in received] == [1, 1]
    body = received[0][0].body
    assert "principal" in body and "interest" in body and "service fee" in body
    # The parts are the ledger's: what the notes got, less the service fee.
    net = sum(ledger.user_accounts(h).available.balance_minor for h in holders)
    assert net == payment.principal_to_notes_minor + payment.interest_to_notes_minor - payment.service_fee_minor
    shown = sum(int(r[0].body.split(" CNY")[0].replace(",", "").replace(".", "")) for r in received)
    assert shown == net


def test_the_daily_batch_writes_repayment_notices_in_bulk(disbursed_loan):
    loan = disbursed_loan(amount_minor=9_000_00, term_months=12, shares=(3_000_00, 3_000_00, 3_000_00))
    first = schedule(loan)[0]
    deposit(loan.borrower, first.payment_minor)
    batch.run_day(first.due_date)  # auto-debit
    holders = {n.investor_id for n in loan.notes.all()}
    rows = Notification.objects.filter(event="repayment_received", channel="inbox")
    assert set(rows.values_list("user_id", flat=True)) == holders and rows.count() == 3
    batch.BatchStep.objects.all().delete()
    batch.run_day(first.due_date)
    assert rows.count() == 3  # nothing twice


def test_expired_and_cancelled_listings_tell_of_the_refunds(borrower, officer, investor_factory, listed_loan):
    loan = listed_loan(amount_minor=6_000_00)
    investor = investor_factory()
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
    lending.expire_due_listings(loan.list_expires_on)
    refund = inbox(investor, "investment_refunded_expired")
    assert len(refund) == 1 and "1,000.00 CNY" in refund[0].body
    assert events(borrower) >= {"listing_expired"}
    other = lending.submit_application(borrower=borrower, data=application(amount_minor=5_000_00))
    lending.approve(officer=officer, loan_id=other.pk, reason="ok")
    lending.invest(investor=investor, loan_id=other.pk, amount_minor=500_00)
    lending.cancel(actor=borrower, loan_id=other.pk)
    assert "500.00 CNY" in inbox(investor, "investment_refunded_cancelled")[0].body


def test_deposits_and_withdrawals_completed_or_failed():
    member = make_user(roles=("investor",))
    ok = ledger.create_deposit_order(member, 500_00)
    sandbox.pay(ok)
    sandbox.pay(ok)  # the gateway delivers twice: one notice
    failed = ledger.create_deposit_order(member, 700_00)
    sandbox.pay(failed, succeed=False)
    paid = ledger.request_withdrawal(member, 100_00)
    sandbox.settle_payout(paid)
    bounced = ledger.request_withdrawal(member, 200_00)
    sandbox.settle_payout(bounced, succeed=False)
    got = {(n.event, n.subject) for n in inbox(member)}
    assert got == {
        ("deposit_completed", "Deposit of 500.00 CNY received"),
        ("deposit_failed", "Deposit of 700.00 CNY failed"),
        ("withdrawal_completed", "Withdrawal of 100.00 CNY paid out"),
        ("withdrawal_failed", "Withdrawal of 200.00 CNY failed"),
    }


def test_members_choose_email_and_sms_and_the_inbox_stays_on(client):
    member = make_user(roles=("investor",))
    client.force_login(member)
    page = client.get("/inbox/settings")
    assert page.status_code == 200 and 'name="sms"' in page.content.decode()
    assert "/inbox/settings" in client.get("/inbox").content.decode()
    assert client.post("/inbox/settings", {"email": "on"}).status_code == 302
    assert notices.preferences_of(member).sms is False
    notify.notify(member, "deposit_completed", "deposit:x", {"amount_minor": 1_00})
    assert set(Notification.objects.filter(user=member).values_list("channel", flat=True)) == {"inbox"}
    member.email = "m@example.com"
    member.save(update_fields=["email"])
    notify.notify(member, "deposit_completed", "deposit:y", {"amount_minor": 1_00})
    assert set(Notification.objects.filter(user=member, event_key="deposit_completed:deposit:y")
               .values_list("channel", flat=True)) == {"inbox", "email"}


@pytest.mark.django_db(transaction=True)  # messages leave through the outbox after a real commit
def test_once_per_member_and_key_and_nothing_after_a_rollback(mailoutbox):
    member, other = make_user(roles=("investor",)), make_user(roles=("investor",))
    member.email, other.email = "m@example.com", "o@example.com"
    member.save(update_fields=["email"])
    other.save(update_fields=["email"])
    with transaction.atomic():
        for _ in range(2):
            notify.notify(member, "deposit_completed", "deposit:1", {"amount_minor": 1_00})
        notify.notify(other, "deposit_completed", "deposit:1", {"amount_minor": 1_00})  # same key, other member
        assert mailoutbox == []  # nothing leaves before commit
    assert Notification.objects.filter(user=member).count() == 3
    assert Notification.objects.filter(user=other).count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["m@example.com", "o@example.com"]
    assert not Notification.objects.filter(status="pending").exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.notify(member, "deposit_completed", "deposit:2", {"amount_minor": 1_00})
        raise RuntimeError("the use case failed")
    assert not Notification.objects.filter(event_key="deposit_completed:deposit:2").exists()
    assert len(mailoutbox) == 2


def test_reminders_respect_the_chosen_channels(disbursed_loan):
    loan = disbursed_loan(amount_minor=3_000_00, term_months=3)
    notices.set_preferences(loan.borrower, email=False, sms=False)
    first = schedule(loan)[0]
    batch.run_day(first.due_date - timedelta(days=3))
    rows = Notification.objects.filter(user=loan.borrower, event="installment_reminder")
    assert rows.exists() and set(rows.values_list("channel", flat=True)) == {"inbox"}
