"""Inbox notices are kept as an event and its parameters and read in the reader's current language.

A notice written while the member used English reads in Chinese once they switch (and back): the same stored
row serves both. Rows written before the parameters were kept show the text they were written with.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from peerlend import notify
from peerlend.accounts.models import User
from peerlend.servicing import notice_texts
from peerlend.servicing.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _page(member: User, language: str) -> str:
    c = Client()
    c.force_login(member)
    User.objects.filter(pk=member.pk).update(language=language)
    return c.get("/inbox", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_one_stored_notice_reads_in_english_and_in_chinese():
    member = make_user(roles=("investor",))
    notify.notify(member, "deposit_completed", "deposit:1", {"amount_minor": 1_234_56})
    row = Notification.objects.get(user=member, channel="inbox")
    # What is stored: the event and plain values, no text in any language.
    assert (row.event, row.params) == ("deposit_completed", {"amount_minor": 1_234_56})
    assert (row.fallback_subject, row.fallback_body) == ("", "")
    with translation.override("en"):
        assert row.subject == "Deposit of 1,234.56 CNY received"
    with translation.override("zh-hans"):
        assert row.subject == "充值 1,234.56 元已到账"
    assert "充值 1,234.56 元已到账" in _page(member, "zh-hans")
    assert "Deposit of 1,234.56 CNY received" in _page(member, "en")


def test_every_event_renders_in_both_languages_from_the_same_values():
    values = {"loan": 7, "note": 9, "amount_minor": 100_00, "received_minor": 90_00, "fee_minor": 10_00,
              "principal_minor": 80_00, "interest_minor": 20_00, "net_minor": 90_00, "reason": "r",
              "until": "2026-12-31", "first_due": "2027-01-31", "number": 1, "days": 3, "due_on": "2027-01-31",
              "title": "t", "date": "2027-01-31", "event": 3}
    for event in notice_texts.EVENTS:
        english = notice_texts.render(event, values, language="en")
        chinese = notice_texts.render(event, values, language="zh-hans")
        assert all(english) and all(chinese), event
        assert english != chinese, event  # translated, not the English fallback


def test_reminders_keep_their_values_and_read_in_either_language():
    params = {"number": 2, "loan": 5, "days": -1, "amount_minor": 2_637_06, "due_on": "2027-01-31"}
    with translation.override("zh-hans"):
        subject, body = notice_texts.render("installment_reminder", params)
    assert subject == "借款 5 第 2 期已逾期 1 天" and body.startswith("2,637.06")
    subject, body = notice_texts.render("installment_reminder", {**params, "days": 3}, language="en")
    assert subject == "Installment 2 of loan 5 is due in 3 days" and "2027-01-31" in body


def test_a_row_written_before_keeps_its_text():
    member = make_user(roles=("investor",))
    old = Notification.objects.create(user=member, event_key="x:1", event="deposit_completed", channel="inbox",
                                      fallback_subject="旧的标题", fallback_body="旧的正文")
    with translation.override("en"):
        assert (old.subject, old.body) == ("旧的标题", "旧的正文")
    assert "旧的正文" in _page(member, "en")


def test_queued_reminders_keep_values_and_read_in_the_readers_language(disbursed_loan):
    from peerlend.servicing import reminders
    from peerlend.servicing.models import Installment

    loan = disbursed_loan(amount_minor=3_000_00, term_months=3)
    inst = Installment.objects.filter(loan=loan).order_by("number").first()
    inst.borrower_id = loan.borrower_id
    assert reminders.queue_reminders([(inst, 3)]) == 1
    row = Notification.objects.get(user=loan.borrower, channel="inbox", event="installment_reminder")
    assert row.params["amount_minor"] == inst.due_minor and row.fallback_subject == ""
    assert row.text("zh-hans")[0] == f"借款 {loan.pk} 第 1 期将于 3 天后到期"
    assert row.text("en")[0] == f"Installment 1 of loan {loan.pk} is due in 3 days"
