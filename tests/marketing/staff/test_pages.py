"""The staff-performance pages: operators' targets, report, chart, exports; the agent's own pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from peerlend.accounts.models import ServicePoint, User
from peerlend.marketing.models_staff import MemberContact, MemberTag, StaffTarget
from peerlend.marketing.staff import commissions
from peerlend.marketing.staff.rules import Rule
from tests.factories import make_user
from tests.marketing.staff.conftest import MONTH, agent_at, filed_loan, point, registered

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def agent() -> User:
    p = point()
    ServicePoint.objects.filter(pk=p.pk).update(city="=HYPERLINK(\"x\")")  # a city that would run as a formula
    return agent_at(p)


def test_operator_sets_a_target_from_the_page(operator: User, agent: User) -> None:
    c = client_for(operator)
    page = c.get("/operator/staff/targets?month=2026-03")
    assert page.status_code == 200 and agent.username in page.content.decode()
    posted = c.post("/operator/staff/targets", {
        "month": "2026-03", "owner": f"agent:{agent.pk}", "members_registered": "12", "identities_verified": "3",
        "applications_originated": "0", "amount_originated_minor": "1,000.00", "loans_repaid_on_time": "0",
        "collections_recovered_minor": ""})
    assert posted.status_code == 302
    target = StaffTarget.objects.get(agent=agent)
    assert (target.members_registered, target.amount_originated_minor) == (12, 1_000_00)


def test_bad_target_form_is_a_400_and_writes_nothing(operator: User, agent: User) -> None:
    page = client_for(operator).post("/operator/staff/targets", {
        "month": "2026-03", "owner": f"agent:{agent.pk}", "members_registered": "100001"})
    assert page.status_code == 400 and not StaffTarget.objects.exists()
    assert client_for(operator).get("/operator/staff/report?month=2026-13").status_code == 400


def test_report_page_chart_and_exports(operator: User, agent: User) -> None:
    p = agent.agent_memberships.get().service_point
    registered(agent, p, on=MONTH)
    c = client_for(operator)
    for by in ("agent", "point", "city", "month"):
        page = c.get(f"/operator/staff/report?month=2026-03&by={by}")
        assert page.status_code == 200, by
    chart = c.get("/operator/staff/report/chart.svg?month=2026-03&by=agent&metric=members_registered")
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    csv = c.get("/operator/staff/report/export?format=csv&month=2026-03&by=city").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv
    xlsx = c.get("/operator/staff/report/export?format=xlsx&month=2026-03&by=city")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert any(str(n).startswith("=HYPERLINK") for n in names)
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=3))
    assert c.get("/operator/staff/report/export?format=pdf").status_code == 400


def test_operator_pages_refuse_others(agent: User) -> None:
    for url in ("/operator/staff/targets", "/operator/staff/report", "/operator/staff/commissions",
                "/operator/staff/report/chart.svg", "/operator/staff/report/export"):
        assert client_for(agent).get(url).status_code == 403, url


def test_agent_pages(agent: User) -> None:
    p = agent.agent_memberships.get().service_point
    member = registered(agent, p, on=MONTH, verify=True)
    filed_loan(agent, p, installments=[(dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
                                       (dt.date(2026, 2, 5), dt.date(2026, 2, 5)),
                                       (dt.date(2026, 3, 5), dt.date(2026, 3, 5))])
    commissions.book_month(MONTH, rules=[Rule("r", "bp_of_originated_on_time", rate_bp=100, installments=3)])
    c = client_for(agent)
    assert member.username in c.get("/agent/my-members/").content.decode()
    assert c.get(f"/agent/my-members/{member.pk}/").status_code == 200
    assert c.post(f"/agent/my-members/{member.pk}/tag", {"tag": "vip"}).status_code == 302
    assert c.post(f"/agent/my-members/{member.pk}/contact", {"method": "phone", "note": "Called"}).status_code == 302
    assert MemberTag.objects.filter(member=member, tag="vip").exists()
    assert MemberContact.objects.filter(member=member).count() == 1
    targets = c.get("/agent/my-targets?month=2026-03").content.decode()
    assert "Members registered" in targets
    statement = c.get("/agent/my-commissions").content.decode()
    assert "100.00" in statement and "Payout sent to the gateway" in statement


def test_agent_cannot_touch_another_agents_member(agent: User) -> None:
    other = agent_at(point())
    theirs = registered(other, other.agent_memberships.get().service_point, on=MONTH)
    c = client_for(agent)
    assert c.get(f"/agent/my-members/{theirs.pk}/").status_code == 404
    assert c.post(f"/agent/my-members/{theirs.pk}/tag", {"tag": "vip"}).status_code == 404
    assert not MemberTag.objects.exists()
    assert client_for(make_user()).get("/agent/my-members/").status_code == 403
