"""Issue 12 item 2 and issue 11 findings 2-3 on the account page: the forms show the limits, and a huge or
over-limit amount is refused with a message (never a server error)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.urls import reverse

from peerlend.clock import set_business_date
from peerlend.ledger import services
from peerlend.ledger.models import DepositOrder, Withdrawal
from tests.factories import make_user
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    set_business_date(date(2026, 3, 2))
    user = make_user()
    client.force_login(user)
    return user


def _post(client, name: str, amount: str):
    return client.post(reverse(name), {"amount": amount, "idempotency_key": uuid.uuid4().hex}, follow=True)


def test_the_forms_show_the_limits_and_what_is_left_today(client, member):
    page = client.get(reverse("web:account")).content.decode()
    assert "Up to 1,000,000.00 CNY per deposit and 5,000,000.00 CNY a day; 5,000,000.00 CNY left today." in page
    assert "Up to 1,000,000.00 CNY per withdrawal and 5,000,000.00 CNY a day; 5,000,000.00 CNY left today." in page
    services.create_deposit_order(member, 1_000_000_00)
    fund(member, 250_00)
    services.request_withdrawal(member, 250_00)
    page = client.get(reverse("web:account")).content.decode()
    assert "5,000,000.00 CNY a day; 4,000,000.00 CNY left today." in page
    assert "5,000,000.00 CNY a day; 4,999,750.00 CNY left today." in page


@pytest.mark.parametrize("amount", ["92233720368547758.06", "99999999999999999999999999999999999",
                                    "99999999999999.99"])
@pytest.mark.parametrize("name", ["web:account_deposit", "web:account_withdraw"])
def test_huge_amounts_get_a_message_not_a_server_error(client, member, name, amount):
    fund(member, 1_000_00)
    resp = _post(client, name, amount)
    assert resp.status_code == 200
    assert "Invalid amount: The amount is too large: at most 100,000,000,000.00 CNY." in resp.content.decode()
    assert DepositOrder.objects.count() == 0 and Withdrawal.objects.count() == 0
    assert audit_clean()


@pytest.mark.parametrize(("name", "word"), [("web:account_deposit", "deposit"), ("web:account_withdraw", "withdrawal")])
def test_over_the_limit_gets_the_figures(client, member, name, word):
    fund(member, 2_000_000_00)
    resp = _post(client, name, "1000000.01")
    assert resp.status_code == 200
    assert (f"The {word} of 1,000,000.01 CNY is above the limit of 1,000,000.00 CNY per transaction."
            in resp.content.decode())
    assert DepositOrder.objects.count() == 0 and Withdrawal.objects.count() == 0
