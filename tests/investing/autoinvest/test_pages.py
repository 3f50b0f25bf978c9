"""Auto-invest pages: rules (list, create, edit, on/off, delete), activity, and the "Auto" badge."""

from __future__ import annotations

from django.test import Client

from peerlend.investing.models_autoinvest import AutoInvestRule
from tests.factories import make_staff, make_user

FORM = {"name": "Steady A and B", "grades": ["A", "B"], "terms": ["12", "24"], "min_rate": "5.5",
        "amount_per_note": "100.00", "max_per_loan": "500.00", "max_borrower_share": "2",
        "cash_reserve": "0.00", "monthly_cap": "", "notes_per_loan": "1", "enabled": "on"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_create_a_rule_from_the_page(investor_factory):
    inv = investor_factory()
    c = client_for(inv)
    assert c.get("/investing/auto-invest/new").status_code == 200
    r = c.post("/investing/auto-invest/new", FORM)
    assert r.status_code == 302 and r.url == "/investing/auto-invest"
    rule = AutoInvestRule.objects.get(investor=inv)
    assert (rule.grades, rule.terms, rule.min_rate_bp) == (["A", "B"], [12, 24], 550)
    assert (rule.amount_per_note_minor, rule.max_per_loan_minor, rule.max_borrower_share_bp) == (100_00, 500_00, 200)
    assert rule.monthly_cap_minor is None and rule.enabled
    page = c.get("/investing/auto-invest").content.decode()
    assert "Steady A and B" in page and "5.50%" in page


def test_form_errors_are_readable_and_nothing_is_saved(investor_factory):
    inv = investor_factory()
    c = client_for(inv)
    bad = {**FORM, "amount_per_note": "120.00", "max_per_loan": "abc", "min_rate": "99", "notes_per_loan": "0"}
    r = c.post("/investing/auto-invest/new", bad)
    assert r.status_code == 200
    body = r.content.decode()
    assert "is-invalid" in body or "invalid-feedback" in body
    assert not AutoInvestRule.objects.exists()
    r = c.post("/investing/auto-invest/new", {**FORM, "amount_per_note": "120.00"})
    assert "multiple of 50.00" in r.content.decode()
    r = c.post("/investing/auto-invest/new", {**FORM, "max_per_loan": "50.00"})
    assert "at least the amount per note" in r.content.decode()
    assert not AutoInvestRule.objects.exists()


def test_edit_toggle_delete(investor_factory, make_rule):
    inv = investor_factory()
    rule = make_rule(inv)
    c = client_for(inv)
    assert c.get(f"/investing/auto-invest/{rule.pk}/edit").status_code == 200
    r = c.post(f"/investing/auto-invest/{rule.pk}/edit", {**FORM, "name": "Renamed", "version": rule.version})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Renamed" and rule.version == 2
    # A stale version is refused on the form.
    r = c.post(f"/investing/auto-invest/{rule.pk}/edit", {**FORM, "name": "Again", "version": 1})
    assert r.status_code == 200 and "changed meanwhile" in r.content.decode()
    c.post(f"/investing/auto-invest/{rule.pk}/toggle", {"enabled": "0", "version": rule.version})
    rule.refresh_from_db()
    assert not rule.enabled
    c.post(f"/investing/auto-invest/{rule.pk}/delete", {"version": rule.version})
    assert not AutoInvestRule.objects.filter(pk=rule.pk).exists()


def test_another_investors_rule_is_not_found(investor_factory, make_rule):
    rule = make_rule(investor_factory())
    c = client_for(investor_factory())
    assert c.get(f"/investing/auto-invest/{rule.pk}/edit").status_code == 404
    c.post(f"/investing/auto-invest/{rule.pk}/delete", {})
    c.post(f"/investing/auto-invest/{rule.pk}/toggle", {"enabled": "0"})
    rule.refresh_from_db()
    assert rule.enabled


def test_pages_are_for_investors_only():
    c = client_for(make_user(roles=("borrower",)))
    assert c.get("/investing/auto-invest").status_code == 403
    assert client_for(make_staff("operator")).get("/investing/auto-invest/activity").status_code == 403
    assert Client().get("/investing/auto-invest").status_code == 302


def test_activity_says_why_and_filters_by_loan(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory(1_000_00)
    make_rule(inv, cash_reserve_minor=950_00, max_borrower_share_bp=10_000)
    placed = loan_of_new_borrower()
    skipped = loan_of_new_borrower()
    c = client_for(inv)
    body = c.get("/investing/auto-invest/activity").content.decode()
    assert f"#{placed.pk}" in body and f"#{skipped.pk}" in body
    body = c.get(f"/investing/auto-invest/activity?loan={skipped.pk}").content.decode()
    assert "Cash reserve kept" in body and "950.00" in body and f"#{placed.pk}<" not in body
    assert "is-invalid" in c.get("/investing/auto-invest/activity?loan=abc").content.decode()
    assert "no decision on loan 999999" in c.get("/investing/auto-invest/activity?loan=999999").content.decode()


def test_auto_badge_on_my_notes_and_the_loan_page(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory()
    make_rule(inv)
    loan = loan_of_new_borrower()
    c = client_for(inv)
    assert "data-auto" in c.get("/my/notes/").content.decode()
    assert "data-auto" in c.get(f"/loans/{loan.pk}/").content.decode()


def test_zh_hans_page_renders(investor_factory, make_rule):
    inv = investor_factory()
    make_rule(inv)
    c = client_for(inv)
    r = c.get("/investing/auto-invest", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
