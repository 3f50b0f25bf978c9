"""The API's contract: the OpenAPI document says what the server does, and errors have one shape."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _json_schema(schema: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {}).get("application/json")
    return _resolve(schema, content["schema"]) if content else None


# --- the document ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/deposits", "/api/withdrawals"])
def test_money_routes_document_body_idempotency_key_and_201(schema, path):
    op = schema["paths"][path]["post"]
    body = _resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
    assert op["requestBody"]["required"] is True
    assert "amount" in body["required"] and body["properties"]["amount"]["type"] == "string"
    assert "currency" in body["properties"]
    headers = {p["name"]: p for p in op["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers and headers["Idempotency-Key"]["schema"]["type"] == "string"
    assert "201" in op["responses"] and "200" not in op["responses"]
    created = _json_schema(schema, op["responses"]["201"])
    assert created is not None and "status" in created["properties"]
    for code in ("400", "401", "409", "413", "422"):
        assert code in op["responses"], (path, code)


def test_every_secured_route_documents_401_and_403(schema):
    for path, method, op in _operations(schema):
        if op.get("security"):
            assert {"401", "403"} <= set(op["responses"]), (method, path)


def test_gateway_callback_documents_its_refusals_and_signature_header(schema):
    op = schema["paths"]["/api/gateway/callback"]["post"]
    assert {"200", "400", "401", "404", "413", "422"} <= set(op["responses"])
    assert any(p["in"] == "header" and p["name"] == "X-Gateway-Signature" for p in op["parameters"])
    r = Client().post("/api/gateway/callback", "{}", content_type="application/json",
                      HTTP_X_GATEWAY_SIGNATURE="forged")
    assert str(r.status_code) in op["responses"] and r.json()["code"]


def test_every_documented_error_has_detail_and_code(schema):
    for path, method, op in _operations(schema):
        for code, response in op["responses"].items():
            if not code.startswith("4"):
                continue
            body = _json_schema(schema, response)
            assert body is not None, (method, path, code)
            assert {"detail", "code"} <= set(body.get("required", [])), (method, path, code, body)


def test_documented_success_codes_are_what_the_routes_answer(schema):
    # Creating routes answer 201; the document must not say 200 for them.
    created = {("post", "/api/auth/register"), ("post", "/api/kyc"), ("post", "/api/deposits"),
               ("post", "/api/withdrawals"), ("post", "/api/loans"), ("post", "/api/loans/{loan_id}/investments")}
    for method, path in created:
        responses = schema["paths"][path][method]["responses"]
        assert "201" in responses and "200" not in responses, (method, path)
    for method, path in [("post", "/api/auth/token"), ("post", "/api/auth/token/refresh"),
                         ("get", "/api/auth/tokens"), ("post", "/api/auth/tokens/{token_id}/revoke")]:
        assert "200" in schema["paths"][path][method]["responses"], (method, path)


# --- the server -----------------------------------------------------------------------------------

def _secured_writes(schema: dict[str, Any]) -> list[tuple[str, str]]:
    routes = []
    for path, method, op in _operations(schema):
        if method != "get" and op.get("security"):
            routes.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return routes


def test_unauthenticated_writes_are_401_not_csrf_403(schema):
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/")  # a session-less visitor holding a CSRF cookie, as a browser would
    routes = _secured_writes(schema)
    assert ("post", "/api/deposits") in routes and ("post", "/api/kyc") in routes
    for method, path in routes:
        r = getattr(anonymous, method)(path, "{}", content_type="application/json")
        assert r.status_code == 401, (method, path, r.status_code, r.content)
        assert r.json() == {"detail": "authentication required", "code": "unauthorized"}


def test_a_logged_in_session_without_csrf_token_is_still_403():
    c = Client(enforce_csrf_checks=True)
    c.force_login(make_user(kyc=False))
    r = c.post("/api/deposits", json.dumps({"amount": "10.00"}), content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    # With the token the same session is accepted.
    c.get("/")
    csrf = c.cookies["csrftoken"].value
    r = c.post("/api/deposits", json.dumps({"amount": "10.00"}), content_type="application/json",
               HTTP_X_CSRFTOKEN=csrf)
    assert r.status_code in (201, 400, 403), r.content
    assert r.json().get("code") != "csrf_failed"


def test_bearer_token_needs_no_csrf_token():
    c = Client(enforce_csrf_checks=True)
    raw = issue_token(make_user(kyc=False))
    r = c.post("/api/auth/token/revoke", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 204


@pytest.mark.parametrize("body", ["{not json", "[1, 2", "\xff"])
def test_register_400_carries_a_code(client, body):
    r = client.post("/api/auth/register", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "malformed_json" and r.json()["detail"]


def test_investments_400_carries_a_code(client):
    investor = make_user()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(investor)}", "HTTP_IDEMPOTENCY_KEY": "k-1"}
    r = client.post("/api/loans/1/investments", "{not json", content_type="application/json", **auth)
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    r = client.post("/api/loans/1/investments", json.dumps({"amount": 5}), content_type="application/json", **auth)
    assert r.status_code == 400 and r.json()["code"] == "invalid_amount"


def test_validation_errors_carry_a_code(client):
    r = client.post("/api/auth/register", json.dumps({"username": 5}), content_type="application/json")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request" and r.json()["detail"] and r.json()["errors"]

