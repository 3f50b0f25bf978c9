"""GET /api/investing/portfolio and /api/investing/notes(.csv): investors only, decimal strings, filters validated."""

from __future__ import annotations

import pytest

from peerlend.api.auth import issue_token
from peerlend.domain.money import format_minor
from peerlend.investing.portfolio import portfolio_of
from tests.factories import make_staff, make_user


def _get(client, user, path, **params):
    token = issue_token(user)
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_needs_authentication(client, db):
    assert client.get("/api/investing/portfolio").status_code == 401
    assert client.get("/api/investing/notes").status_code == 401


def test_needs_the_investor_role(client, db):
    response = _get(client, make_staff("operator"), "/api/investing/portfolio")
    assert response.status_code == 403 and response.json()["code"] == "forbidden_role"


def test_new_investor_has_null_rates(client, db):
    body = _get(client, make_user(roles=("investor",)), "/api/investing/portfolio").json()
    assert body["nar_pct"] is None and body["xirr_pct"] is None and body["notes"] == 0
    assert body["principal_outstanding"] == "0.00"
    assert next(b["status"] for b in body["loss_buckets"]) == "current"


def test_summary_matches_the_selector(client, world):
    p = portfolio_of(world.me, world.today)
    body = _get(client, world.me, "/api/investing/portfolio").json()
    assert body["cash_available"] == format_minor(p.cash_available_minor)
    assert body["principal_outstanding"] == format_minor(p.principal_outstanding_minor)
    assert body["interest_received"] == format_minor(p.interest_received_minor)
    assert body["expected_loss"] == format_minor(p.expected_loss_minor)
    assert body["nar_pct"] == str((p.nar * 100).quantize(p.nar.__class__("0.0001")))
    assert body["adjusted_nar_pct"] is not None and body["xirr_pct"] is not None
    assert {g["key"] for g in body["by_status"]} == {"current", "late_31_120", "funding"}
    assert body["business_date"] == world.today.isoformat()


def test_notes_filtered_and_paged(client, world):
    body = _get(client, world.me, "/api/investing/notes").json()
    assert body["total"] == 3 and body["page"] == 1 and len(body["notes"]) == 3
    late = _get(client, world.me, "/api/investing/notes", status="late_31_120").json()
    assert [n["loan_id"] for n in late["notes"]] == [world.shared.pk]
    assert late["notes"][0]["days_past_due"] > 30
    empty = _get(client, world.me, "/api/investing/notes", page="2").json()
    assert empty["notes"] == [] and empty["total"] == 3


@pytest.mark.parametrize(("field", "value"), [
    ("status", "late"), ("grade", "F"), ("grade", "A6"), ("term", "0"), ("term", "61"), ("term", "1.5"),
    ("vintage", "26-03"), ("vintage", "2026-00"), ("loan", "0"), ("loan", "9" * 20), ("page", "0"),
    ("page", "10001"), ("page", "NaN"),
])
def test_bad_filters_are_400_with_the_field(client, db, field, value):
    response = _get(client, make_user(roles=("investor",)), "/api/investing/notes", **{field: value})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_filter" and response.json()["field"] == field


def test_csv(client, world):
    response = _get(client, world.me, "/api/investing/notes.csv", status="current")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert len(lines) == 2 and lines[1].split(",")[1] == str(world.solo.pk)
    assert _get(client, world.me, "/api/investing/notes.csv", vintage="x").status_code == 400
