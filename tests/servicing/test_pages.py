"""Pages: the borrower's repayment page with pay/prepay, investor's note income, collections queue, inbox."""

from __future__ import annotations

from datetime import timedelta

from peerlend.accounts.models import Role
from peerlend.clock import set_business_date
from peerlend.lending.models import Note
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import ContactNote, ServicingPayment
from tests.factories import make_staff, make_user
from tests.servicing.conftest import assert_audit_clean, deposit, schedule


def test_borrower_pays_and_prepays_from_the_page(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    set_business_date(first.due_date)
    client.force_login(borrower)
    page = client.get(f"/my/loans/{loan.pk}/repayments")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="due"' in html and "Prepay in full" in html and "contract.pdf" in html
    deposit(borrower, 50_000_00)
    r = client.post(f"/my/loans/{loan.pk}/repay", {"amount": f"{first.payment_minor / 100:.2f}",
                                                  "idempotency_key": "page-1"}, follow=True)
    assert r.status_code == 200 and "paid" in r.content.decode()
    # A double click (same key) moves nothing more.
    client.post(f"/my/loans/{loan.pk}/repay", {"amount": f"{first.payment_minor / 100:.2f}",
                                              "idempotency_key": "page-1"})
    assert ServicingPayment.objects.count() == 1
    r = client.post(f"/my/loans/{loan.pk}/prepay", {"idempotency_key": "page-2"}, follow=True)
    loan.refresh_from_db()
    assert loan.status == "prepaid"
    assert_audit_clean()
    # The investor sees what each note received.
    note = Note.objects.filter(loan=loan).first()
    client.force_login(note.investor)
    html = client.get("/my/notes/income").content.decode()
    assert f'data-note="{note.pk}"' in html and "Paid off" in html


def test_pay_box_says_when_the_next_installment_opens_once_the_current_one_is_paid(client, disbursed_loan, borrower):
    """After the current installment is paid early, the pay box offers no 0.00 payment: it says when
    the next installment can be paid."""
    loan = disbursed_loan()
    first, second = schedule(loan)[:2]
    set_business_date(first.due_date - timedelta(days=5))
    deposit(borrower, 50_000_00)
    client.force_login(borrower)
    client.post(f"/my/loans/{loan.pk}/repay", {"amount": f"{first.payment_minor / 100:.2f}",
                                              "idempotency_key": "early-1"})
    html = client.get(f"/my/loans/{loan.pk}/repayments", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="pay-nothing-due"' in html and f"Installment {second.number} " in html
    assert f'action="/my/loans/{loan.pk}/repay"' not in html


def test_pages_are_role_checked(client, disbursed_loan, borrower):
    loan = disbursed_loan()
    stranger = make_user(roles=("borrower", "investor"))
    client.force_login(stranger)
    assert client.get(f"/my/loans/{loan.pk}/repayments").status_code == 403
    assert client.get("/collections/").status_code == 403
    assert client.post(f"/collections/{loan.pk}", {"action": "note", "method": "phone", "text": "x"}).status_code == 403


def test_collections_page(client, disbursed_loan):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=20))
    agent = make_staff(Role.COLLECTIONS)
    client.force_login(agent)
    html = client.get("/collections/").content.decode()
    assert f'data-loan="{loan.pk}"' in html and "16-30" in html
    client.post(f"/collections/{loan.pk}", {"action": "note", "method": "phone", "text": "called, no answer"})
    assert ContactNote.objects.filter(loan=loan, agent=agent).count() == 1
    client.force_login(loan.borrower)
    inbox = client.get("/inbox").content.decode()
    assert "overdue" in inbox


def test_inbox_is_paged_twenty_at_a_time(client):
    from peerlend.servicing.models import Notification

    member = make_user(roles=("investor",))
    Notification.objects.bulk_create([
        Notification(user=member, event_key=f"test:{n}", channel="inbox", fallback_subject=f"Message {n:02d}",
                     fallback_body="body") for n in range(25)])
    client.force_login(member)
    first = client.get("/inbox", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count("Message ") == 20 and "Page 1 of 2" in first
    second = client.get("/inbox?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert second.count("Message ") == 5
    assert client.get("/inbox?page=abc").status_code == 200  # a bad page number shows the first page
