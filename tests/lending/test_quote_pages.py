"""Fees before the fact (issue 12, defect 7): the quote box, the investor's expected return, the fee schedule.

Before the fix the origination fee appeared only in the contract after disbursement and the investor
service fee nowhere: none of these routes or boxes existed.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from peerlend.domain.pricing import GRADES, price, reference_pd
from peerlend.lending.models import Loan
from peerlend.lending.quote import QUOTE_GRADES
from tests.factories import make_user

QUOTE = {"amount": "30000.00", "term_months": "36", "repayment_method": "equal_installment"}


def _writes(queries: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def _peerlend(**values: object) -> override_settings:
    return override_settings(PEERLEND={**settings.PEERLEND, **values})


def test_quote_box_shows_rate_fee_received_payment_cost_and_apr_without_writing(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/apply/quote", QUOTE, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    assert _writes(queries) == []
    body = response.content.decode()
    for grade in QUOTE_GRADES:
        assert f'data-grade="{grade}"' in body
    best = price(reference_pd("A1"), 36)
    fee = int(30_000_00 * best.origination_fee_rate)
    assert f"{fee // 100:,}.{fee % 100:02d}" in body  # the A1 fee in CNY
    for text in ("Origination fee", "You receive", "Monthly payment", "Total cost", "APR incl. fees",
                 "What this is based on"):
        assert text in body, text
    assert "/fees/" in body


@pytest.mark.parametrize(("params", "code_text"), [
    # Unreadable amounts get the refusal every form and API route gives (peerlend.amount_input).
    ({"amount": "", "term_months": "12"}, "Invalid amount: Enter an amount."),
    ({"amount": "abc", "term_months": "12"}, "Invalid amount: Write the amount in digits"),
    ({"amount": "NaN", "term_months": "12"}, "Invalid amount: The amount must be a number."),
    ({"amount": "1e999", "term_months": "12"}, "Invalid amount: Write the amount in digits"),
    ({"amount": "-5000", "term_months": "12"}, "Invalid amount: The amount must be more than zero."),
    ({"amount": "99999999999999", "term_months": "12"}, "Invalid amount: The amount is too large"),
    ({"amount": "2000000", "term_months": "12"}, "Enter an amount between 1000.00 and 1000000.00 CNY"),
    ({"amount": "500.00", "term_months": "12"}, "Enter an amount between 1000.00 and 1000000.00 CNY"),
    ({"amount": "5000.10", "term_months": "12"}, "multiple"),
    ({"amount": "5000", "term_months": "0"}, "term"),
    ({"amount": "5000", "term_months": "99999999999999999999"}, "term"),
    ({"amount": "5000", "term_months": "12", "repayment_method": "<script>"}, "repayment method"),
])
def test_hostile_quote_input_is_a_clear_400(client, params, code_text):
    response = client.get("/apply/quote", params, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert code_text in response.content.decode()
    assert b"<script>" not in response.content


def test_apply_page_has_the_quote_box_sending_only_amount_term_and_method(client, borrower):
    client.force_login(borrower)
    body = client.get("/apply/").content.decode()
    assert 'id="quote-box"' in body and 'hx-get="/apply/quote"' in body
    assert 'hx-include="#id_amount, #id_term_months, #id_repayment_method"' in body
    # Without JavaScript the box is filled from the query string or the form sent back.
    assert 'data-grade="E5"' in client.get("/apply/", QUOTE).content.decode()


def test_apply_form_sent_back_keeps_its_quote(client, borrower):
    client.force_login(borrower)
    response = client.post("/apply/", {**QUOTE, "purpose": "education"})  # income missing: form again
    assert response.status_code == 200 and Loan.objects.count() == 0
    assert b"data-quote-table" in response.content


def test_listed_loan_shows_expected_return_net_of_service_fee_and_expected_loss(client, listed_loan):
    loan = listed_loan(amount_minor=30_000_00, term_months=36)
    client.force_login(make_user(roles=("investor",)))
    body = client.get(f"/loans/{loan.pk}/").content.decode()
    assert "data-investor-quote" in body and "Expected return net of fee and expected loss" in body
    assert "Service fee (1.00% of each repayment you receive)" in body
    assert f"Expected credit loss of grade {loan.grade}" in body
    with _peerlend(INVESTOR_SERVICE_FEE_RATE="0.0250"):
        changed = client.get(f"/loans/{loan.pk}/").content.decode()
    assert "Service fee (2.50% of each repayment you receive)" in changed
    # Anonymous visitors see it before logging in to invest.
    client.logout()
    assert "data-investor-quote" in client.get(f"/loans/{loan.pk}/").content.decode()


def test_fee_schedule_is_public_and_read_from_settings_and_pricing(client):
    odd = _peerlend(LATE_FEE_RATE="0.0437", LATE_FEE_MIN_MINOR=12_34, PENALTY_DAILY_RATE="0.0003",
                    INVESTOR_SERVICE_FEE_RATE="0.0125", PREPAYMENT_PENALTY_RATE="0.02", GRACE_DAYS=9)
    with odd, CaptureQueriesContext(connection) as queries:
        response = client.get("/fees/")
    assert response.status_code == 200 and _writes(queries) == []
    body = response.content.decode()
    for text in ("4.37% of the unpaid installment, at least 12.34 CNY", "more than 9 days overdue",
                 "0.030% a day (10.95% a year) on overdue principal", "1.25% of every repayment you receive",
                 "2.00% of the principal prepaid"):
        assert text in body, text
    for grade in GRADES:
        assert f'data-grade="{grade}"' in body
    e5 = price(reference_pd("E5"), 36)
    assert f"fee {e5.origination_fee_rate * 100:.2f}%" in body


def test_fee_schedule_says_none_without_a_prepayment_penalty(client):
    with _peerlend(PREPAYMENT_PENALTY_RATE="0"):
        body = client.get("/fees/").content.decode()
    assert 'data-fee="prepayment"><td>Prepayment penalty</td><td>None</td>' in body


def test_api_quote_is_public_and_reads_only(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/quote", QUOTE)
    assert response.status_code == 200, response.content
    assert _writes(queries) == []
    data = response.json()
    assert data["basis"] == "grade_range" and [g["grade"] for g in data["grades"]] == list(QUOTE_GRADES)
    a1 = data["grades"][0]
    assert a1["annual_rate"] == str(price(reference_pd("A1"), 36).annual_rate)
    fee = a1["origination_fee"]
    assert float(a1["amount_received"]) + float(fee) == 30000.0
    assert float(a1["apr"]) > float(a1["annual_rate"])


@pytest.mark.parametrize("params", [{"amount": "1e999", "term_months": "12"},
                                    {"amount": "5000", "term_months": "-1"},
                                    {"amount": "5000", "term_months": "12", "repayment_method": "x"}])
def test_api_quote_refuses_bad_input_with_400(client, params):
    response = client.get("/api/quote", params)
    assert response.status_code == 400 and response.json()["code"] in {
        "invalid_amount", "invalid_term", "invalid_method"}
