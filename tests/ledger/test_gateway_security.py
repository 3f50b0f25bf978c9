"""Issue 11, finding 1: the sandbox gateway must never be a way to print money.

Its pages exist only while the sandbox is the configured gateway outside production, act only for
the order's owner, and production refuses to start with the sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from peerlend.ledger import selectors, services
from peerlend.ledger.gateway import get_gateway, sandbox, sandbox_enabled
from peerlend.web import urls_ledger
from tests.factories import make_staff, make_user
from tests.ledger.conftest import fund

FAKE = "tests.ledger.fake_gateway.RecordingGateway"
BANK = "peerlend.ledger.gateway.bank.HttpCustodyBankGateway"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def order(investor):
    return services.create_deposit_order(investor, 50_000_00)


@pytest.mark.django_db
def test_anonymous_cannot_pay_an_order(client, investor, order):
    page = client.get(f"/sandbox-gateway/pay/{order.public_id}")
    assert page.status_code == 302 and "/login" in page["Location"]
    resp = client.post(f"/sandbox-gateway/pay/{order.public_id}", {"action": "pay"})
    assert resp.status_code == 403
    order.refresh_from_db()
    assert order.status == "pending"
    assert selectors.balances(investor).available_minor == 0


@pytest.mark.django_db
def test_another_member_sees_no_order_and_credits_nothing(client, investor, order):
    client.force_login(make_user())
    assert client.get(f"/sandbox-gateway/pay/{order.public_id}").status_code == 404
    assert client.post(f"/sandbox-gateway/pay/{order.public_id}", {"action": "pay"}).status_code == 404
    # Not even an operator pays someone else's order.
    client.force_login(make_staff("operator"))
    assert client.post(f"/sandbox-gateway/pay/{order.public_id}", {"action": "pay"}).status_code == 404
    order.refresh_from_db()
    assert order.status == "pending"
    assert selectors.balances(investor).available_minor == 0


@pytest.mark.django_db
def test_the_owner_pays_on_the_sandbox_page(client, investor, order):
    client.force_login(investor)
    assert client.get(f"/sandbox-gateway/pay/{order.public_id}").status_code == 200
    resp = client.post(f"/sandbox-gateway/pay/{order.public_id}", {"action": "pay"})
    assert resp.status_code == 302 and resp["Location"].endswith("/account")
    assert selectors.balances(investor).available_minor == 50_000_00


@pytest.mark.django_db
def test_sandbox_pages_are_gone_with_a_real_gateway(client, investor, order):
    fund(investor, 1_000)
    services.request_withdrawal(investor, 500)
    with override_settings(PEERLEND_GATEWAY=FAKE):
        assert not sandbox_enabled()
        assert urls_ledger.sandbox_urlpatterns() == []
        client.force_login(investor)
        assert client.get(f"/sandbox-gateway/pay/{order.public_id}").status_code == 404
        assert client.post(f"/sandbox-gateway/pay/{order.public_id}", {"action": "pay"}).status_code == 404
        client.force_login(make_staff("operator"))
        assert client.get("/sandbox-gateway/payouts").status_code == 404
        with pytest.raises(CommandError):
            call_command("sandbox_payouts", "--settle-all")
        # The member's account page renders without the sandbox's pay link.
        client.force_login(investor)
        page = client.get("/account")
        assert page.status_code == 200 and b"/sandbox-gateway/" not in page.content
    assert selectors.balances(investor).available_minor == 500
    assert len(urls_ledger.sandbox_urlpatterns()) == 2


@pytest.mark.django_db
def test_sandbox_is_refused_at_run_time_in_production(investor, order):
    with override_settings(PRODUCTION=True), pytest.raises(ImproperlyConfigured):
        get_gateway()
    with override_settings(PRODUCTION=True), pytest.raises(ImproperlyConfigured):
        sandbox.pay(order)
    with override_settings(PRODUCTION=True):
        assert not sandbox_enabled()
    assert selectors.balances(investor).available_minor == 0


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLEND_", "DJANGO_"))}
    env.pop("DEBUG", None)
    env.update({
        "PEERLEND_ENV": "production",
        "SECRET_KEY": "s" * 50,
        "PEERLEND_PII_KEY": Fernet.generate_key().decode(),
        "PEERLEND_PII_INDEX_KEY": "i" * 40,
        "PEERLEND_GATEWAY_SECRET": "g" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "PEERLEND_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "peerlend.settings",
    })
    env.update(extra)
    return env


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print('GATEWAY', settings.PEERLEND_GATEWAY)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("gateway", [None, "peerlend.ledger.gateway.sandbox.SandboxGateway"])
def test_production_refuses_to_start_with_the_sandbox(tmp_path, gateway):
    extra = {"PEERLEND_GATEWAY": gateway} if gateway else {}
    result = _start(_production_env(tmp_path, **extra))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PEERLEND_GATEWAY" in result.stderr, result.stderr


def test_production_refuses_a_subclass_of_the_sandbox(tmp_path):
    result = _start(_production_env(tmp_path, PEERLEND_GATEWAY="tests.ledger.fake_gateway.SandboxInDisguise"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "sandbox" in result.stderr, result.stderr


def test_production_starts_with_a_real_adapter(tmp_path):
    result = _start(_production_env(
        tmp_path, PEERLEND_GATEWAY=BANK, PEERLEND_GATEWAY_API_URL="https://bank.invalid/api",
        PEERLEND_GATEWAY_PAY_URL="https://bank.invalid/pay", PEERLEND_GATEWAY_MERCHANT_ID="m-1",
    ))
    assert result.returncode == 0, result.stderr
    assert f"GATEWAY {BANK}" in result.stdout


def test_production_refuses_a_real_adapter_that_is_not_configured(tmp_path):
    result = _start(_production_env(tmp_path, PEERLEND_GATEWAY=BANK))
    assert result.returncode != 0
    assert "PEERLEND_GATEWAY_API_URL" in result.stderr, result.stderr
