"""The auto-invest API: rules CRUD and the decisions, token auth, decimal strings, clear refusals."""

from __future__ import annotations

import json

from peerlend.investing.models_autoinvest import AutoInvestRule
from tests.factories import make_user
from tests.lending.test_api import _client, _post

BODY = {"name": "API rule", "grades": ["A"], "amount_per_note": "100.00", "max_per_loan": "300.00",
        "monthly_cap": "1000.00"}


def test_create_list_get_update_delete(client, investor_factory):
    inv = investor_factory()
    c = _client(client, inv)
    r = _post(c, "/api/investing/auto-invest/rules", BODY)
    assert r.status_code == 201, r.content
    rule = r.json()
    assert rule["amount_per_note"] == "100.00" and rule["monthly_cap"] == "1000.00" and rule["cash_reserve"] == "0.00"
    assert rule["max_borrower_share_bp"] == 200 and rule["version"] == 1
    assert [x["id"] for x in c.get("/api/investing/auto-invest/rules").json()] == [rule["id"]]
    assert c.get(f"/api/investing/auto-invest/rules/{rule['id']}").json()["name"] == "API rule"
    r = c.put(f"/api/investing/auto-invest/rules/{rule['id']}", data=json.dumps({**BODY, "name": "New", "version": 1}),
              content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2
    r = c.put(f"/api/investing/auto-invest/rules/{rule['id']}", data=json.dumps({**BODY, "version": 1}),
              content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "stale"
    assert c.delete(f"/api/investing/auto-invest/rules/{rule['id']}").status_code == 204
    assert not AutoInvestRule.objects.exists()


def test_bad_input_is_a_clear_4xx_and_saves_nothing(client, investor_factory):
    c = _client(client, investor_factory())
    for body, code in [
        ({**BODY, "amount_per_note": 100}, "invalid_amount"),
        ({**BODY, "amount_per_note": "120.00"}, "invalid_rule"),
        ({**BODY, "max_per_loan": "50.00"}, "invalid_rule"),
        ({**BODY, "grades": ["Z"]}, "invalid_rule"),
        ({**BODY, "terms": [0]}, "invalid_rule"),
        ({**BODY, "purposes": ["casino"]}, "invalid_rule"),
        ({**BODY, "name": "  "}, "invalid_rule"),
    ]:
        r = _post(c, "/api/investing/auto-invest/rules", body)
        assert r.status_code == 400, (body, r.content)
        assert r.json()["code"] == code or r.json()["code"].startswith("invalid"), r.json()
    for body in ({**BODY, "notes_per_loan": 11}, {**BODY, "min_rate_bp": -1}, {**BODY, "grades": ["A"] * 31}):
        r = _post(c, "/api/investing/auto-invest/rules", body)
        assert r.status_code in (400, 422), r.content
    assert _post(c, "/api/investing/auto-invest/rules", "{not json").status_code == 400
    assert not AutoInvestRule.objects.exists()


def test_other_investors_rule_is_404(client, investor_factory, make_rule):
    rule = make_rule(investor_factory())
    c = _client(client, investor_factory())
    assert c.get(f"/api/investing/auto-invest/rules/{rule.pk}").status_code == 404
    assert c.delete(f"/api/investing/auto-invest/rules/{rule.pk}").status_code == 404
    r = c.put(f"/api/investing/auto-invest/rules/{rule.pk}", data=json.dumps(BODY), content_type="application/json")
    assert r.status_code == 404
    assert AutoInvestRule.objects.filter(pk=rule.pk, name=rule.name).exists()


def test_borrower_only_member_is_403_and_anonymous_401(client):
    c = _client(client, make_user(roles=("borrower",)))
    assert c.get("/api/investing/auto-invest/rules").status_code == 403
    assert client.__class__().get("/api/investing/auto-invest/rules").status_code == 401


def test_decisions_with_loan_filter(client, investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory(0)
    make_rule(inv)
    loan = loan_of_new_borrower()
    other = loan_of_new_borrower()
    c = _client(client, inv)
    rows = c.get(f"/api/investing/auto-invest/decisions?loan={loan.pk}").json()
    assert [r["loan"] for r in rows] == [loan.pk]
    assert rows[0]["outcome"] == "skipped" and rows[0]["reason"] == "insufficient_cash"
    assert "available cash" in rows[0]["explanation"] and rows[0]["amount"] == "0.00"
    assert len(c.get("/api/investing/auto-invest/decisions").json()) == 2
    assert c.get("/api/investing/auto-invest/decisions?loan=abc").status_code in (400, 422)
    assert other.pk
