"""Servicing and collections messages are translated; reminders use the member's remembered language."""

from __future__ import annotations

import pytest
from django.utils import translation

from peerlend.errors import ApplicationError
from peerlend.servicing import collections, services
from tests.factories import make_staff
from tests.lending.conftest import START
from tests.servicing.conftest import deposit

pytestmark = pytest.mark.django_db


def test_repayment_refusal_is_in_chinese_when_asked(disbursed_loan):
    loan = disbursed_loan()  # the borrower has spent the loan: no cash to repay with
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        services.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=100_00)
    assert info.value.message == "可用余额不足：现有 0.00 元，需要 100.00 元"
    with pytest.raises(ApplicationError) as info:
        services.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=100_00)
    assert info.value.message == "insufficient available balance: have 0.00 CNY, need 100.00 CNY"


def test_repayment_receipt_is_translated(disbursed_loan):
    loan = disbursed_loan()
    first = services.Installment.objects.filter(loan=loan).order_by("number").first()
    deposit(loan.borrower, first.due_minor + 10_00)
    with translation.override("zh-hans"):
        result = services.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=first.due_minor + 10_00)
    # Issue 12: the receipt says what was taken, from which balance, and what stays (msgids in the zh catalogue).
    assert result.message.startswith(f"已从您的可用余额扣划 {first.due_minor // 100:,}.{first.due_minor % 100:02d} 元")
    assert "其余 10.00 元未扣划，仍保留在您的可用余额中" in result.message


def test_collections_refusals_are_translated(disbursed_loan):
    loan = disbursed_loan()
    agent = make_staff("collections")
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        collections.add_contact_note(agent, loan.pk, "phone", "   ")
    assert info.value.message == "请记录沟通内容"
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        collections.record_promise(agent, loan.pk, 0, START)
    assert info.value.message == "承诺还款金额必须大于零"


def test_reminders_are_written_in_each_borrowers_language(disbursed_loan):
    from datetime import timedelta

    from peerlend.accounts.models import User
    from peerlend.servicing import batch
    from peerlend.servicing.models import Installment, Notification
    from tests.servicing.conftest import young_borrower

    chinese, english = young_borrower(), young_borrower()
    User.objects.filter(pk=chinese.pk).update(language="zh-hans")
    loans = [disbursed_loan(amount_minor=3_000_00, term_months=3, borrower=who) for who in (chinese, english)]
    first = Installment.objects.filter(loan=loans[0]).order_by("number").first()
    batch.run_day(first.due_date - timedelta(days=3))
    batch.run_day(first.due_date + timedelta(days=1))
    # The inbox also holds the loan's other notices (approved, listed, paid out): the reminders here.
    reminders = Notification.objects.filter(channel="inbox", event="installment_reminder").order_by("pk")
    zh = list(reminders.filter(user=chinese))
    en = list(reminders.filter(user=english))
    with translation.override("zh-hans"):
        zh_subjects = [n.subject for n in zh]
        zh_body = zh[0].body
    with translation.override("en"):
        en_subjects = [n.subject for n in en]
        en_body = en[0].body
        en_overdue_body = en[1].body
    assert zh_subjects == [f"借款 {loans[0].pk} 第 1 期将于 3 天后到期",
                                       f"借款 {loans[0].pk} 第 1 期已逾期 1 天"]
    assert zh_body.startswith(f"{first.due_minor // 100:,}.") and "请在可用余额中留足款项" in zh_body
    assert en_subjects == [f"Installment 1 of loan {loans[1].pk} is due in 3 days",
                                       f"Installment 1 of loan {loans[1].pk} is 1 day overdue"]
    assert "Keep it in your available balance" in en_body
    # Past its date the reminder does not say the money "is due on" a date already gone.
    assert "was due on" in en_overdue_body and "is due on" not in en_overdue_body
