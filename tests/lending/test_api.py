from __future__ import annotations

import json

import pytest

from peerlend.api.auth import issue_token
from peerlend.lending.models import Loan, Note
from tests.lending.conftest import balances


def _client(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user)}"
    return client


def _post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=raw, content_type="application/json", **headers)


APPLICATION = {
    "amount": "12000.00", "term_months": 12, "repayment_method": "equal_principal",
    "purpose": "education", "annual_income": "150000.00", "employment_years": 4,
}


def test_apply_over_the_api(client, borrower):
    response = _post(_client(client, borrower), "/api/loans", APPLICATION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "under_review" and body["amount"] == "12000.00" and body["grade"]


@pytest.mark.parametrize(
    "change",
    [{"amount": 12000.0}, {"amount": "12000.001"}, {"amount": "-12000.00"}, {"amount": "abc"},
     {"annual_income": 150000}, {"term_months": 60}],
)
def test_apply_bad_input_is_4xx_and_writes_nothing(client, borrower, change):
    response = _post(_client(client, borrower), "/api/loans", {**APPLICATION, **change})
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    assert Loan.objects.count() == 0


def test_malformed_json_is_4xx(client, borrower):
    response = _post(_client(client, borrower), "/api/loans", "{not json")
    assert 400 <= response.status_code < 500


def test_invest_over_the_api_is_idempotent(client, listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    api = _client(client, investor)
    url = f"/api/loans/{loan.pk}/investments"
    first = _post(api, url, {"amount": "100.00"}, key="k-1")
    assert first.status_code == 201, first.content
    replay = _post(api, url, {"amount": "100.00"}, key="k-1")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert Note.objects.count() == 1 and balances(investor) == (900_00, 100_00)
    reused = _post(api, url, {"amount": "200.00"}, key="k-1")
    assert reused.status_code == 422
    missing = _post(api, url, {"amount": "100.00"})
    assert missing.status_code == 400
    assert Note.objects.count() == 1


@pytest.mark.parametrize("amount", [100.0, "100.001", "0", "-50.00", "75.00"])
def test_invest_bad_amounts(client, listed_loan, investor_factory, amount):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    response = _post(_client(client, investor), f"/api/loans/{loan.pk}/investments", {"amount": amount}, key="k")
    assert 400 <= response.status_code < 500
    assert Note.objects.count() == 0 and balances(investor) == (1_000_00, 0)


def test_over_investing_is_a_clear_conflict(client, listed_loan, investor_factory):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory(5_000_00)
    response = _post(_client(client, investor), f"/api/loans/{loan.pk}/investments", {"amount": "1050.00"}, key="x")
    assert response.status_code == 409
    assert "1000.00" in response.json()["detail"]


def test_marketplace_lists_and_filters(client, listed_loan):
    loan = listed_loan()
    response = client.get("/api/loans")
    assert [row["id"] for row in response.json()] == [loan.pk]
    other_grade = "E" if loan.grade[0] != "E" else "A"
    assert client.get(f"/api/loans?grade={other_grade}").json() == []
    assert client.get(f"/api/loans?grade={loan.grade[0]}").json()[0]["id"] == loan.pk


def test_unauthenticated_invest_is_401(client, listed_loan):
    loan = listed_loan()
    response = _post(client, f"/api/loans/{loan.pk}/investments", {"amount": "100.00"}, key="k")
    assert response.status_code == 401


def test_review_over_the_api(client, borrower, officer):
    api = _client(client, borrower)
    loan_id = _post(api, "/api/loans", APPLICATION).json()["id"]
    refused = _post(api, f"/api/reviews/{loan_id}/approve", {"reason": "self"})
    assert refused.status_code == 403
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(officer)}"
    queue = client.get("/api/reviews").json()
    assert [row["id"] for row in queue] == [loan_id]
    approved = _post(client, f"/api/reviews/{loan_id}/approve", {"reason": "fine"})
    assert approved.status_code == 200 and approved.json()["status"] == "listed"
