"""Servicing and collections messages are translated; reminders use the member's remembered language."""

from __future__ import annotations

import pytest
from django.utils import translation

from peerlend.errors import ApplicationError
from peerlend.servicing import collections, services
from tests.factories import make_staff
from tests.lending.conftest import START
from tests.servicing.conftest import deposit, disbursed_loan, investor_factory, listed_loan, officer  # noqa: F401

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
    assert result.message.startswith("已还款 ")
    assert "保留在您的可用余额中" in result.message


def test_collections_refusals_are_translated(disbursed_loan):
    loan = disbursed_loan()
    agent = make_staff("collections")
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        collections.add_contact_note(agent, loan.pk, "phone", "   ")
    assert info.value.message == "请记录沟通内容"
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        collections.record_promise(agent, loan.pk, 0, START)
    assert info.value.message == "承诺还款金额必须大于零"
