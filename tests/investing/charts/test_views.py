"""The chart routes: investors only, their own notes only, SVG with private caching, read-only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from peerlend.lending.models import Note
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROUTES = ["web:portfolio_chart_cash_flow", "web:portfolio_chart_returns", "web:portfolio_chart_status",
          "web:portfolio_chart_grades"]
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
SVG = "{http://www.w3.org/2000/svg}"


def _text(response) -> str:
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.fixture
def holders(investor_factory, funded_loan):
    """Two investors in one loan, with amounts that show up as distinct labels on the grade chart."""
    me, other = investor_factory(), investor_factory()
    loan = funded_loan([(me, 3_050_00), (other, 2_950_00)])
    return me, other, loan


def test_an_investor_gets_each_chart_as_an_svg_kept_private(client, holders):
    client.force_login(holders[0])
    for route in ROUTES:
        response = client.get(reverse(route))
        assert response.status_code == 200, route
        assert response["Content-Type"] == "image/svg+xml"
        assert "private" in response["Cache-Control"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        _text(response)


@pytest.mark.parametrize("route", ROUTES)
def test_an_empty_portfolio_shows_no_data_yet(client, investor_factory, route):
    client.force_login(investor_factory(cash_minor=0))
    response = client.get(reverse(route))
    assert response.status_code == 200
    assert "No data yet" in _text(response)


@pytest.mark.parametrize("route", ROUTES)
def test_members_without_the_investor_role_are_refused(client, route):
    client.force_login(make_user(roles=("borrower",)))
    assert client.get(reverse(route)).status_code == 403


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_sent_to_log_in(client, route):
    response = client.get(reverse(route))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("route", ROUTES)
def test_charts_are_read_only(client, investor_factory, route):
    client.force_login(investor_factory(cash_minor=0))
    assert client.post(reverse(route)).status_code == 405


def test_only_the_owners_notes_appear(client, holders):
    me, other, _loan = holders
    client.force_login(me)
    mine = _text(client.get(reverse("web:portfolio_chart_grades")))
    assert "3050.00" in mine and "2950.00" not in mine
    client.force_login(other)
    theirs = _text(client.get(reverse("web:portfolio_chart_grades")))
    assert "2950.00" in theirs and "3050.00" not in theirs
    status = _text(client.get(reverse("web:portfolio_chart_status")))
    assert Note.objects.filter(investor=other).count() == 1 and " 1 " in f" {status} "  # one current note


def test_labels_follow_the_active_language(client, holders):
    client.force_login(holders[0])
    status = _text(client.get(reverse("web:portfolio_chart_status"), **ZH))
    assert "还款中" in status and "Current" not in status
    cash = _text(client.get(reverse("web:portfolio_chart_cash_flow"), **ZH))
    assert "暂无数据" in cash  # disbursed, nothing repaid yet: no bars to draw
    grades = _text(client.get(reverse("web:portfolio_chart_grades"), **ZH))
    assert "级" in grades
