"""Findings 2 and 3 of issue 11: amounts near 2**63 and above the deposit/withdrawal limits are refused with 400.

The limits are per member type, per transaction and per business day (peerlend.domain.limits); the refusal
states the figures.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import translation

from peerlend.api.auth import issue_token
from peerlend.clock import set_business_date
from peerlend.domain.limits import limits_from_env
from peerlend.errors import ApplicationError
from peerlend.ledger import selectors, services
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import DepositOrder, PaymentStatus, Withdrawal
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
INT64_MAX = 2**63 - 1
HUGE = ["92233720368547758.06", "92233720368547758.07", "99999999999999999999999999999999999",
        "99999999999999.99", "100000000000.01"]


@pytest.fixture(autouse=True)
def business_day(db):
    set_business_date(DAY)


@pytest.fixture
def api(client, investor):
    token = issue_token(investor)
    keys = iter(range(10**6))

    def call(path: str, body, key: str | None = None):
        return client.post(path, data=json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key or f"k{next(keys)}")

    return call


@pytest.mark.parametrize("path", ["/api/deposits", "/api/withdrawals"])
@pytest.mark.parametrize("amount", HUGE)
def test_huge_amounts_are_400_over_the_api_and_nothing_is_written(api, investor, path, amount):
    fund(investor, 1_000_000_00)
    resp = api(path, {"amount": amount})
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "invalid_amount"
    assert "100,000,000,000.00" in body["detail"]
    assert DepositOrder.objects.count() == 0 and Withdrawal.objects.count() == 0
    assert audit_clean()


def test_one_minor_unit_below_2_63_is_refused_not_credited(api, investor):
    """The finding: "92233720368547758.06" was accepted, then paid, and the books were corrupted."""
    resp = api("/api/deposits", {"amount": "92233720368547758.06"})
    assert resp.status_code == 400
    assert DepositOrder.objects.count() == 0
    assert selectors.balances(investor).available_minor == 0
    assert audit_clean()


def test_deposit_above_the_per_transaction_limit(api, investor):
    resp = api("/api/deposits", {"amount": "1000000.01"})
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "limit_exceeded"
    assert body["detail"] == ("The deposit of 1,000,000.01 CNY is above the limit of 1,000,000.00 CNY per "
                              "transaction.")
    assert body["limit"]["period"] == "transaction" and body["limit"]["limit"] == "1000000.00"
    assert DepositOrder.objects.count() == 0
    assert api("/api/deposits", {"amount": "1000000.00"}).status_code == 201


def test_deposit_daily_limit_counts_pending_and_paid_orders_not_failed_ones(api, investor):
    paid = services.create_deposit_order(investor, 1_000_000_00)
    sandbox.pay(paid)
    failed = services.create_deposit_order(investor, 1_000_000_00)
    sandbox.pay(failed, succeed=False)
    for _ in range(3):
        services.create_deposit_order(investor, 1_000_000_00)  # pending: counts too
    # Used so far: 4,000,000.00 (the failed order does not count).
    assert api("/api/deposits", {"amount": "600000.00"}).status_code == 201
    resp = api("/api/deposits", {"amount": "500000.00"})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "limit_exceeded" and body["limit"]["period"] == "day"
    assert body["detail"] == (
        "The deposit of 500,000.00 CNY is above what remains of today's limit: 5,000,000.00 CNY a day, "
        "4,600,000.00 CNY already used today, 400,000.00 CNY remaining."
    )
    assert body["limit"]["used_today"] == "4600000.00" and body["limit"]["remaining"] == "400000.00"
    # Exactly what remains still fits; then nothing does.
    assert api("/api/deposits", {"amount": "400000.00"}).status_code == 201
    resp = api("/api/deposits", {"amount": "0.01"})
    assert resp.status_code == 400 and resp.json()["limit"]["remaining"] == "0.00"
    # A new business day starts afresh.
    set_business_date(DAY + timedelta(days=1))
    assert api("/api/deposits", {"amount": "1000000.00"}).status_code == 201
    assert audit_clean()


def test_withdrawal_limits(api, investor):
    fund(investor, 9_000_000_00)
    resp = api("/api/withdrawals", {"amount": "1000000.01"})
    assert resp.status_code == 400 and resp.json()["code"] == "limit_exceeded"
    assert "1,000,000.00 CNY per transaction" in resp.json()["detail"]
    for _ in range(5):
        assert api("/api/withdrawals", {"amount": "1000000.00"}).status_code == 201
    resp = api("/api/withdrawals", {"amount": "0.01"})
    assert resp.status_code == 400 and resp.json()["limit"]["period"] == "day"
    assert "5,000,000.00 CNY already used today" in resp.json()["detail"]
    # A failed payout frees its share of the day.
    failed = Withdrawal.objects.first()
    sandbox.settle_payout(failed, succeed=False)
    assert api("/api/withdrawals", {"amount": "1000000.00"}).status_code == 201
    assert selectors.balances(investor).available_minor == 4_000_000_00
    assert audit_clean()


def test_limit_message_is_translated(investor):
    """Needs the zh-Hans catalogue entries of this change (written for the translators with it)."""
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as info:
        services.create_deposit_order(investor, 1_000_000_01)
    assert info.value.code == "limit_exceeded"
    assert info.value.message == "本次充值金额 1,000,000.01 CNY 超过单笔限额 1,000,000.00 CNY。"


def test_a_company_has_its_own_limits(investor):
    from peerlend.accounts.models import Identity

    Identity.objects.filter(user=investor).update(kind="company", company_name="Acme Ltd",
                                                  credit_code="91110000600037341L")
    investor.refresh_from_db()
    order = services.create_deposit_order(investor, 10_000_000_00)
    assert order.amount_minor == 10_000_000_00 and order.business_date == DAY
    with pytest.raises(ApplicationError) as info:
        services.create_deposit_order(investor, 10_000_000_01)
    assert info.value.code == "limit_exceeded"


def test_limits_come_from_settings(investor):
    table = limits_from_env({"PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR": "10000",
                             "PEERLEND_LIMIT_PERSON_DEPOSIT_DAY_MINOR": "15000"})
    from django.conf import settings

    with override_settings(PEERLEND={**settings.PEERLEND, "LIMITS": table}):
        services.create_deposit_order(investor, 100_00)
        with pytest.raises(ApplicationError, match=r"100\.01"):
            services.create_deposit_order(investor, 100_01)
        with pytest.raises(ApplicationError, match=r"50\.00 CNY remaining"):
            services.create_deposit_order(investor, 100_00)


def test_rows_record_their_business_date(investor):
    fund(investor, 100_00)
    assert services.create_deposit_order(investor, 1_00).business_date == DAY
    assert services.request_withdrawal(investor, 1_00).business_date == DAY
    assert Withdrawal.objects.get().status == PaymentStatus.PENDING


def test_services_refuse_an_int64_amount_even_without_the_parser(investor):
    fund(investor, 100_00)
    for call in (services.create_deposit_order, services.request_withdrawal):
        with pytest.raises(ApplicationError) as info:
            call(investor, INT64_MAX)
        assert info.value.status == 400
    assert DepositOrder.objects.count() == 0 and Withdrawal.objects.count() == 0
