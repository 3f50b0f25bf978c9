"""The member centre page and the API: tier, balance, history pages, labels; reads create nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peerlend.accounts.models import User
from peerlend.api.auth import issue_token
from peerlend.marketing.members.points import award_points, spend_points
from peerlend.marketing.members.sections import _SECTIONS, register_centre_section
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason


def _auth(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def _seed(user: User) -> None:
    award_points(user, 1_200, reason=PointsReason.CAMPAIGN_TASK, reference="task:7", idempotency_key="a")
    spend_points(user, 200, reason=PointsReason.REDEMPTION, reference="coupon:3", idempotency_key="s")


def test_centre_needs_a_login(client: Client, db: None) -> None:
    response = client.get("/member/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_centre_shows_tier_balance_and_labelled_history(client: Client, member_factory: Callable[..., User],
                                                        quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    _seed(user)
    client.force_login(user)
    body = client.get("/member/").content.decode()
    assert 'data-member-tier="silver"' in body and 'data-points-balance="1000"' in body
    assert "Campaign task" in body and "Redeemed" in body and "campaign_task" not in body
    assert "never give priority in funding" in body


def test_centre_in_chinese_uses_labels(client: Client, member_factory: Callable[..., User],
                                       quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    _seed(user)
    client.force_login(user)
    body = client.get("/member/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "campaign_task" not in body and 'data-points-balance="1000"' in body


def test_centre_of_a_new_member_creates_no_member_row(client: Client, member_factory: Callable[..., User],
                                                      quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    client.force_login(user)
    body = client.get("/member/").content.decode()
    assert 'data-points-balance="0"' in body and 'data-member-tier="bronze"' in body
    assert not Member.objects.filter(pk=user.pk).exists()


def test_registered_sections_are_included(client: Client, member_factory: Callable[..., User],
                                          quiet_rules: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("peerlend.marketing.members.sections._SECTIONS", dict(_SECTIONS))
    seen: list[int] = []
    # Any existing template stands in for a section another part registers (coupons, referrals).
    register_centre_section("test", "web/plans/_risk_notice.html", lambda u: seen.append(u.pk) or {})
    client.force_login(user := member_factory())
    body = client.get("/member/").content.decode()
    assert "data-plan-risk-notice" in body and seen == [user.pk]


def test_centre_history_pages(client: Client, member_factory: Callable[..., User],
                              quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    for i in range(25):
        award_points(user, 1, reason=PointsReason.CAMPAIGN_TASK, reference=f"t{i}", idempotency_key=f"k{i}")
    client.force_login(user)
    first = client.get("/member/").content.decode()
    second = client.get("/member/?page=2").content.decode()
    assert first.count("data-points-entry=") == 20 and second.count("data-points-entry=") == 5


def test_api_member(client: Client, member_factory: Callable[..., User], quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    _seed(user)
    data = client.get("/api/marketing/member", **_auth(user)).json()
    assert data["points_balance"] == 1000 and data["tier"]["code"] == "silver"
    assert data["next_tier"]["code"] == "gold" and data["tier"]["fee_discount_bp"] == 500
    assert [t["code"] for t in data["tiers"]] == ["bronze", "silver", "gold", "platinum"]


def test_api_points_pages_newest_first(client: Client, member_factory: Callable[..., User],
                                       quiet_rules: dict[str, Any]) -> None:
    user = member_factory()
    _seed(user)
    data = client.get("/api/marketing/points?page=1&page_size=1", **_auth(user)).json()
    assert data["total"] == 2 and data["balance"] == 1000
    (entry,) = data["entries"]
    assert entry["delta"] == -200 and entry["reason"] == "redemption" and entry["reason_label"] == "Redeemed"
    older = client.get("/api/marketing/points?page=2&page_size=1", **_auth(user)).json()["entries"][0]
    assert older["delta"] == 1200 and older["expires_on"] is not None


def test_api_points_shows_only_my_entries(client: Client, member_factory: Callable[..., User],
                                          quiet_rules: dict[str, Any]) -> None:
    me, other = member_factory(), member_factory()
    _seed(other)
    data = client.get("/api/marketing/points", **_auth(me)).json()
    assert data["total"] == 0 and data["entries"] == [] and data["balance"] == 0
    assert not PointsEntry.objects.filter(member_id=me.pk).exists()


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=x"])
def test_api_points_refuses_out_of_range_pages(client: Client, member_factory: Callable[..., User],
                                               query: str) -> None:
    response = client.get(f"/api/marketing/points?{query}", **_auth(member_factory()))
    assert response.status_code == 422


def test_api_needs_authentication(client: Client, db: None) -> None:
    assert client.get("/api/marketing/member").status_code == 401
    assert client.get("/api/marketing/points").status_code == 401
