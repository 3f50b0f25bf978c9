"""`peerlend model-report`, the risk page, its permissions and the compliance console's alert."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from peerlend.accounts.models import ServicePoint, User
from tests.factories import make_staff, make_user
from tests.scoring.monitoring.conftest import VERSION, decide, loan, population

MAY = dt.date(2026, 5, 1)
REFERENCE = (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1))


def _client(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role) if role != "borrower" else make_user(roles=("borrower",)))
    return client


def _shifted(borrower: User) -> None:
    for month in REFERENCE:
        population(borrower, month)
    population(borrower, MAY, pd_shift=Decimal("0.05"))


def _report(*args: str) -> str:
    out = StringIO()
    call_command("model_report", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_report_for_the_latest_complete_month(
        borrower: User, officer: User, point: ServicePoint) -> None:
    _shifted(borrower)
    decide(officer, loan(borrower, submitted_on=dt.date(2026, 5, 2), status="rejected", channel="offline",
                         service_point=point), "reject")
    text = _report()
    assert f"Model report for 2026-05 (as of 2026-06-15), model {VERSION}" in text
    assert "Reference months 2026-01..2026-03: 150 applications; this month: 51" in text
    assert "Score (PD)" in text and "Years in current job" in text and "Shift: act" in text
    assert f"{point.name}: 1  1  0.0%  1  1  100.0%" in text
    assert "ALERT: PSI above 0.25 for Score (PD)" in text


def test_command_json_and_month_and_base(borrower: User) -> None:
    _shifted(borrower)
    data = json.loads(_report("--month", "2026-02", "--base", "2026-01:2026-01", "--json"))
    assert data["month"] == "2026-02" and data["reference"] == ["2026-01", "2026-01"]
    assert (data["n_reference"], data["n_month"]) == (50, 50)
    assert data["psi"][0]["name"] == "score" and data["psi"][0]["psi"] == pytest.approx(0.0, abs=1e-9)
    assert data["psi_alert_above"] == 0.25
    assert {row["key"] for row in data["by_channel"]} == {"online", "offline"}


@pytest.mark.parametrize("args", [("--month", "2026-13"), ("--month", "May"), ("--base", "2026-03:2026-01")])
def test_command_refuses_bad_months_with_a_message(args: tuple[str, str]) -> None:
    with pytest.raises(CommandError, match="Invalid"):
        _report(*args)


@pytest.mark.parametrize("role", ["risk_officer", "compliance", "admin"])
def test_page_shows_the_report_to_risk_compliance_and_admin(role: str, borrower: User) -> None:
    _shifted(borrower)
    response = _client(role).get("/risk/monitoring")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Model monitoring" in html and "Years in current job" in html and 'id="psi-alert"' in html
    assert "Online" in html and "Offline service point" in html and "employment_years" not in html


@pytest.mark.parametrize("role", ["borrower", "agent", "collections", "operator", "regulator"])
def test_page_refuses_other_roles(role: str) -> None:
    assert _client(role).get("/risk/monitoring").status_code == 403


def test_page_anonymous_goes_to_login() -> None:
    response = Client().get("/risk/monitoring")
    assert response.status_code == 302 and "login" in response["Location"]


def test_page_bad_month_is_a_400_with_the_reason() -> None:
    response = _client("risk_officer").get("/risk/monitoring?month=2026-99")
    assert response.status_code == 400
    assert "Invalid month 2026-99" in response.content.decode()


def test_page_in_chinese_renders() -> None:
    response = _client("risk_officer").get("/risk/monitoring?month=2026-05", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


def test_compliance_console_alerts_above_025(borrower: User) -> None:
    _shifted(borrower)
    html = _client("compliance").get("/compliance/oversight").content.decode()
    assert 'id="oversight-model-alert"' in html and "2026-05" in html and "Score (PD)" in html
    assert "/risk/monitoring?month=2026-05" in html


def test_compliance_console_has_no_alert_below(borrower: User) -> None:
    for month in (*REFERENCE, MAY):
        population(borrower, month)
    html = _client("compliance").get("/compliance/oversight").content.decode()
    assert "oversight-model-alert" not in html


def test_risk_officer_navigation_links_the_page() -> None:
    html = _client("risk_officer").get("/dashboard").content.decode()
    assert 'href="/risk/monitoring"' in html
