"""Public pages and API of the operating data and vintages, in both languages; the regulator's filing pull."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from peerlend.clock import set_business_date
from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.disclosure.filing.export import verify
from peerlend.disclosure.models import MonthlySnapshot
from peerlend.disclosure.monthly.publish import correct_month, publish_month
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 6)


@pytest.fixture(autouse=True)
def published() -> None:
    set_business_date(TODAY)
    publish_month(date(2026, 3, 1), today=date(2026, 4, 1))
    publish_month(date(2026, 4, 1), today=date(2026, 5, 4))
    correct_month(date(2026, 4, 1), actor=make_staff("operator"), reason="restated compensation", today=TODAY)


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


@pytest.mark.parametrize("language, words", [("en", "Operating data"), ("zh-hans", "运营数据")])
def test_monthly_page_in_both_languages(client: Client, language: str, words: str) -> None:
    page = client.get("/disclosure/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-snapshot="2026-04"' in html and 'data-version="2"' in html
    assert "restated compensation" in html and html.count("<svg") >= 2
    if language == "en":
        assert words in html


def test_monthly_page_of_one_month_and_unknown_month(client: Client) -> None:
    assert 'data-snapshot="2026-03"' in client.get("/disclosure/?month=2026-03").content.decode()
    assert client.get("/disclosure/?month=2025-01").status_code == 404
    assert client.get("/disclosure/?month=garbage").status_code == 404


def test_vintage_page_and_csv(client: Client) -> None:
    page = client.get("/disclosure/vintage")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    csv = client.get("/disclosure/vintage.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().startswith("issue_month,grade,loans,amount")


def test_api_monthly_list_and_month(client: Client) -> None:
    rows = client.get("/api/disclosure/monthly").json()
    assert [(r["month"], r["version"]) for r in rows] == [("2026-04", 2), ("2026-03", 1)]
    april = client.get("/api/disclosure/monthly/2026-04").json()
    assert april["supersedes_version"] == 1 and april["reason"] == "restated compensation"
    assert april["figures"]["outstanding_minor"] == 0 and "amount_overdue_rate" in april["rates"]
    assert april["labels"]["outstanding_count"] == "Loans outstanding"
    assert client.get("/api/disclosure/monthly/2026-13").status_code == 400
    assert client.get("/api/disclosure/monthly/2025-01").status_code == 404


def test_api_vintage(client: Client) -> None:
    assert client.get("/api/disclosure/vintage").json() == []


def test_filing_pull_is_for_the_regulator_and_logged(client: Client) -> None:
    path = "/api/disclosure/filings/2026-04"
    assert client.get(path).status_code == 401
    investor = make_user(roles=("investor",))
    assert client.get(path, **_auth(investor)).status_code == 403
    regulator = make_staff("regulator")
    response = client.get(path, **_auth(regulator))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert verify(data)
    log = RegulatorAccess.objects.get()
    assert (log.actor_id, log.target_id) == (regulator.pk, "2026-04")
    assert client.get("/api/disclosure/filings/2026-05", **_auth(regulator)).status_code == 404  # not over
    assert client.post(path, **_auth(regulator)).status_code == 405
    assert MonthlySnapshot.objects.count() == 3
