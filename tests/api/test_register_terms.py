"""Registering through the API records the terms of service and privacy notice the member accepted, exactly as
the web form does (versions and time); a registration that does not accept them is a clear 400."""

from __future__ import annotations

import pytest
from django.test import Client

from peerlend.accounts.models import TermsAcceptance, User
from peerlend.accounts.terms import CURRENT_VERSIONS

pytestmark = pytest.mark.django_db

BODY = {"username": "uma", "password": "Tr1cky-pass-99"}


def _register(body: dict) -> tuple[int, dict]:
    r = Client().post("/api/auth/register", body, content_type="application/json")
    return r.status_code, r.json()


@pytest.mark.parametrize("extra", [{}, {"accept_terms": False}])
def test_register_without_the_terms_is_refused_with_a_400(extra):
    status, body = _register({**BODY, **extra})
    assert status == 400 and body["code"] == "terms_not_accepted" and body["detail"]
    assert "terms of service" in body["detail"]
    assert not User.objects.filter(username="uma").exists()


def test_register_records_the_accepted_versions_and_time_like_the_web_form():
    status, body = _register({**BODY, "accept_terms": True})
    assert status == 201, body
    rows = TermsAcceptance.objects.filter(user_id=body["id"])
    assert {(a.document, a.version) for a in rows} == set(CURRENT_VERSIONS.items())
    assert all(a.accepted_at for a in rows)
    assert {t["document"]: t["version"] for t in body["terms_accepted"]} == CURRENT_VERSIONS
    assert all(t["accepted_at"] for t in body["terms_accepted"])


def test_the_openapi_document_shows_the_field_and_the_refusal():
    schema = Client().get("/api/openapi.json").json()
    op = schema["paths"]["/api/auth/register"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    register_in = schema["components"]["schemas"][ref]
    # Optional in the body (false when left out), so that leaving it out is the 400 below, not a 422.
    assert register_in["properties"]["accept_terms"]["default"] is False
    assert "400" in op["responses"]
    out_ref = op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "terms_accepted" in schema["components"]["schemas"][out_ref]["properties"]
