"""/api/investing/statements: prepare (POST), list, download; validation is a clear 4xx."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from peerlend.ledger.models_statements import Statement
from tests.factories import make_staff

URL = "/api/investing/statements"


def _api(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def _post(user, body) -> object:
    c, headers = _api(user)
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return c.post(URL, data=raw, content_type="application/json", **headers)


def test_prepare_returns_201_then_200(world):
    first = _post(world.investor, {"period": "2026-04", "format": "csv"})
    assert first.status_code == 201
    body = first.json()
    statement = Statement.objects.get()
    assert body["id"] == statement.pk and body["period"] == "2026-04" and body["format"] == "csv"
    assert body["sha256"] == statement.sha256 and body["size"] == statement.size
    assert body["download_url"].endswith(f"{URL}/{statement.pk}/download")
    again = _post(world.investor, {"period": "2026-04", "format": "csv"})
    assert again.status_code == 200 and again.json()["id"] == statement.pk


@pytest.mark.parametrize("body, status, code", [
    ({"period": "2026-05", "format": "pdf"}, 422, "period_not_closed"),
    ({"period": "2026-02", "format": "pdf"}, 422, "period_before_joining"),
    ({"period": "2026-4", "format": "pdf"}, 400, "invalid_period"),
    ({"period": 202604, "format": "pdf"}, 400, "invalid_period"),
    ({"format": "pdf"}, 400, "invalid_period"),
    ({"period": "2026-04", "format": "doc"}, 400, "invalid_format"),
    ({"period": "2026-04"}, 400, "invalid_format"),
    ("not json", 400, "malformed_json"),
    ("[1]", 400, "malformed_json"),
])
def test_validation(world, body, status, code):
    response = _post(world.investor, body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]
    assert not Statement.objects.exists()


def test_list_is_the_callers_own(world):
    _post(world.investor, {"period": "2026-04", "format": "pdf"})
    _post(world.other, {"period": "2026-04", "format": "pdf"})
    c, headers = _api(world.investor)
    rows = c.get(URL, **headers).json()
    assert [(r["period"], r["format"]) for r in rows] == [("2026-04", "pdf")]
    assert rows[0]["id"] == Statement.objects.get(member=world.investor).pk


def test_download_owner_and_staff_only(world):
    statement_id = _post(world.investor, {"period": "2026-04", "format": "pdf"}).json()["id"]
    url = f"{URL}/{statement_id}/download"
    c, headers = _api(world.investor)
    response = c.get(url, **headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    for role in ("operator", "compliance", "admin"):
        c, headers = _api(make_staff(role))
        assert c.get(url, **headers).status_code == 200
    for someone in (world.other, world.borrower, make_staff("risk_officer")):
        c, headers = _api(someone)
        assert c.get(url, **headers).status_code == 404
    assert Client().get(url).status_code == 401


def test_staff_cannot_prepare(world):
    response = _post(make_staff("operator"), {"period": "2026-04", "format": "pdf"})
    assert response.status_code == 404 and not Statement.objects.exists()
