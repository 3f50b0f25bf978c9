"""Every form and API route that takes an amount reads it alike (one parser, one refusal).

Each input of ``AMOUNT_TABLE`` goes through every entry point; an input is "refused" there when
the answer carries the one refusal of an unreadable amount ("Invalid amount: ..."), and the
table says which inputs must be. An accepted input may still be refused for another reason (no
money, a limit, a missing field): that is the business rule's answer, not the parser's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from tests.domain.test_amount_parser import AMOUNT_TABLE
from tests.servicing.conftest import (  # noqa: F401  (fixtures)
    borrower,
    business_day,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
)

REFUSAL = "Invalid amount:"


def _refused_on_page(client: Client, url: str, data: dict[str, str], method: str = "post") -> bool:
    response = getattr(client, method)(url, data, follow=True)
    assert response.status_code in (200, 400), (url, data, response.status_code)
    return REFUSAL in response.content.decode()


def _refused_by_api(client: Client, user: Any, url: str, body: dict[str, Any] | None,
                    query: dict[str, str] | None = None) -> bool:
    if body is None:
        response = client.get(url, query)
    else:
        response = client.post(url, data=json.dumps(body), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}",
                               HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code < 500, (url, body, query, response.content)
    if response.status_code < 400:
        return False
    payload = response.json()
    refused = str(payload.get("detail", "")).startswith(REFUSAL)
    assert not refused or payload["code"] == "invalid_amount", payload
    return refused


def _mismatches(refused: Callable[[str], bool]) -> list[str]:
    return [f"{text!r}: {'refused' if expected is not None else 'accepted'}"
            for text, expected in AMOUNT_TABLE if refused(text) is (expected is not None)]


@pytest.fixture
def parties(disbursed_loan, listed_loan, investor_factory, borrower):  # noqa: F811
    """A borrower with a running loan, an investor without cash and a listed loan to bid on."""
    running = disbursed_loan(amount_minor=6_000_00, term_months=6)
    listing = listed_loan(amount_minor=5_000_00, term_months=6)
    return {"borrower": borrower, "running": running, "investor": investor_factory(cash_minor=0),
            "listing": listing}


def _application_form(amount: str) -> dict[str, str]:
    # No purpose: an accepted amount leaves the form invalid for another reason, so nothing is submitted.
    return {"amount": amount, "term_months": "12", "repayment_method": "equal_installment", "annual_income": "90000",
            "housing": "rent", "delinq_2yrs": "0", "inq_last_6mths": "0"}


def test_pages_read_amounts_alike(client, parties):
    member, investor = parties["borrower"], parties["investor"]
    running, listing = parties["running"].pk, parties["listing"].pk
    client.force_login(member)
    pages: dict[str, Callable[[str], bool]] = {
        "deposit": lambda t: _refused_on_page(client, "/account/deposit", {"amount": t,
                                                                          "idempotency_key": uuid.uuid4().hex}),
        "withdraw": lambda t: _refused_on_page(client, "/account/withdraw", {"amount": t,
                                                                            "idempotency_key": uuid.uuid4().hex}),
        "repay": lambda t: _refused_on_page(client, f"/my/loans/{running}/repay", {"amount": t,
                                                                                  "idempotency_key": uuid.uuid4().hex}),
        "quote": lambda t: _refused_on_page(client, "/apply/quote", {"amount": t, "term_months": "12"}, "get"),
        "apply": lambda t: _refused_on_page(client, "/apply/", _application_form(t)),
    }
    wrong = {name: _mismatches(check) for name, check in pages.items()}
    client.force_login(investor)
    wrong["invest"] = _mismatches(lambda t: _refused_on_page(
        client, f"/loans/{listing}/invest", {"amount": t, "idempotency_key": uuid.uuid4().hex}))
    assert {k: v for k, v in wrong.items() if v} == {}


def test_api_routes_read_amounts_alike(client, parties):
    member, investor = parties["borrower"], parties["investor"]
    running, listing = parties["running"].pk, parties["listing"].pk
    routes: dict[str, Callable[[str], bool]] = {
        "deposit": lambda t: _refused_by_api(client, member, "/api/deposits", {"amount": t}),
        "withdraw": lambda t: _refused_by_api(client, member, "/api/withdrawals", {"amount": t}),
        "repay": lambda t: _refused_by_api(client, member, f"/api/loans/{running}/repayments", {"amount": t}),
        "invest": lambda t: _refused_by_api(client, investor, f"/api/loans/{listing}/investments", {"amount": t}),
        "quote": lambda t: _refused_by_api(client, member, "/api/quote", None, {"amount": t, "term_months": "12"}),
        "apply": lambda t: _refused_by_api(client, member, "/api/loans", {
            "amount": t, "term_months": 12, "repayment_method": "equal_installment", "purpose": "not-a-purpose",
            "annual_income": "90000.00"}),
    }
    wrong = {name: _mismatches(check) for name, check in routes.items()}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_a_page_and_the_api_give_the_same_words(client, parties):
    member = parties["borrower"]
    client.force_login(member)
    page = client.post("/account/deposit", {"amount": "8,00.00", "idempotency_key": uuid.uuid4().hex}, follow=True)
    api = client.post("/api/deposits", data=json.dumps({"amount": "8,00.00"}), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {issue_token(member)}", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    detail = api.json()["detail"]
    assert detail.startswith(REFUSAL) and "1,234.50" in detail
    assert detail in page.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
