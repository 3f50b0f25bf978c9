"""Issue 12 defects 17 and 12: logging in lands on the member's own dashboard or the staff member's queue;
compliance staff have a read-only oversight screen; the menu reaches every staff page."""

from __future__ import annotations

import pytest
from django.test import Client

from peerlend.accounts.services import submit_identity
from peerlend.clock import set_business_date
from peerlend.lending import services as lending
from tests.factories import make_agent, make_staff, make_user, random_bank_card
from tests.lending.conftest import START, application, deposit
from tests.servicing.conftest import drain, young_borrower

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd!x"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _login(user, **extra) -> str:
    client = Client()
    r = client.post("/login" + extra.pop("query", ""), {"username": user.username, "password": PASSWORD}, **EN)
    assert r.status_code == 302, r.status_code
    return r["Location"]


@pytest.mark.parametrize(("role", "lands_on"), [
    ("risk_officer", "/review/"),
    ("collections", "/collections/"),
    ("compliance", "/compliance/oversight"),
    ("operator", "/operator/reconciliation"),
])
def test_staff_land_on_their_queue(role: str, lands_on: str) -> None:
    assert _login(make_staff(role)) == lands_on


def test_members_land_on_their_dashboard_and_agents_on_their_console() -> None:
    assert _login(make_user(roles=("investor", "borrower"))) == "/dashboard"
    assert _login(make_agent()) == "/agent/"


def test_a_safe_next_page_still_wins() -> None:
    assert _login(make_user(), query="?next=/my/notes/") == "/my/notes/"
    assert _login(make_user(), query="?next=https://evil.example/") == "/dashboard"


def test_investor_dashboard_shows_the_portfolio() -> None:
    set_business_date(START)
    investor = make_user(roles=("investor",))
    deposit(investor, 3_000_00)
    loan = lending.submit_application(borrower=young_borrower(), data=application(amount_minor=5_000_00))
    lending.approve(officer=make_staff("risk_officer"), loan_id=loan.pk, reason="dash")
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
    client = Client()
    client.force_login(investor)
    html = client.get("/dashboard", **EN).content.decode()
    assert 'id="dash-portfolio"' in html and 'id="dash-borrower"' not in html
    assert "2,000.00 CNY" in html  # available
    assert "1 bid waiting for funding" in html and "1,000.00 CNY frozen" in html


def test_borrower_dashboard_shows_loans_and_the_next_payment() -> None:
    set_business_date(START)
    borrower = young_borrower()
    investor = make_user(roles=("investor",))
    deposit(investor, 6_000_00)
    loan = lending.submit_application(borrower=borrower, data=application(amount_minor=6_000_00))
    lending.approve(officer=make_staff("risk_officer"), loan_id=loan.pk, reason="dash")
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=6_000_00)
    drain(borrower)
    first = loan.installments.order_by("number").first()
    client = Client()
    client.force_login(borrower)
    html = client.get("/dashboard", **EN).content.decode()
    assert 'id="dash-next-payment"' in html
    assert f"due on {first.due_date:%Y-%m-%d} (loan #{loan.pk})" in html
    assert f"/my/loans/{loan.pk}/repayments" in html and ">Current<" in html


def test_dashboard_asks_an_unverified_member_to_verify() -> None:
    client = Client()
    client.force_login(make_user(kyc=False))
    html = client.get("/dashboard", **EN).content.decode()
    assert 'id="dash-kyc"' in html and "Not verified yet" in html and 'href="/kyc"' in html


def test_dashboard_does_not_ask_staff_to_verify_to_invest_or_borrow() -> None:
    client = Client()
    client.force_login(make_staff("risk_officer"))
    html = client.get("/dashboard", **EN).content.decode()
    assert 'id="dash-queue"' in html and 'id="dash-kyc"' not in html


def test_oversight_shows_audit_reviews_loans_and_balances() -> None:
    set_business_date(START)
    holder = make_user(roles=("investor",))
    rid = holder.identity.decrypted()["resident_id"]
    other = make_user(roles=("investor",), kyc=False)
    submit_identity(other, real_name="王五", resident_id=rid, mobile="13912345678", bank_card=random_bank_card())
    lending.submit_application(borrower=young_borrower(), data=application(amount_minor=5_000_00))
    client = Client()
    client.force_login(make_staff("compliance"))
    html = client.get("/compliance/oversight", **EN).content.decode()
    assert "Identity review opened" in html and "kyc.review_opened" not in html
    assert other.username in html and "Resident ID already verifies another account" in html
    assert "Loans by status" in html and "Under review" in html
    assert "Custody bank account" in html and "platform:custody_bank" not in html
    assert "<form" not in html.split('id="oversight-loans"')[1]  # read-only: nothing to submit


def test_oversight_refuses_members_with_the_products_own_403_page() -> None:
    client = Client()
    client.force_login(make_user())
    r = client.get("/compliance/oversight", **EN)
    assert r.status_code == 403
    html = r.content.decode()
    assert "Not allowed" in html and "Only compliance staff may open the oversight screen." in html
    assert "navbar" in html  # the site's page, not a bare "403 Forbidden"


def test_the_menu_reaches_each_staff_page() -> None:
    client = Client()
    client.force_login(make_staff("compliance"))
    assert 'href="/compliance/oversight"' in client.get("/dashboard", **EN).content.decode()
    client.force_login(make_staff("operator"))
    html = client.get("/dashboard", **EN).content.decode()
    assert 'href="/sandbox-gateway/payouts"' in html and 'href="/operator/reconciliation"' in html
    client.force_login(make_user())
    html = client.get("/dashboard", **EN).content.decode()
    assert 'href="/dashboard"' in html and "/compliance/oversight" not in html and "/sandbox-gateway" not in html


def test_unknown_page_is_the_products_404() -> None:
    r = Client().get("/no-such-page", **EN)
    assert r.status_code == 404
    html = r.content.decode()
    assert "There is no such page." in html and "navbar" in html and "URLconf" not in html
