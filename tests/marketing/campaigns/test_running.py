"""Running campaigns: within the budget, once per member, on their date, with a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from peerlend.accounts.models import User
from peerlend.marketing.campaigns.running import run_campaign, run_due_campaigns
from peerlend.marketing.campaigns.services import define_campaign
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from peerlend.marketing.models_coupons import Coupon
from peerlend.marketing.models_members import Member, PointsEntry
from peerlend.servicing.models import Notification
from tests.marketing.campaigns.conftest import TODAY, campaign_input, coupon_template, member


def _balance(user: User) -> int:
    return int(Member.objects.get(pk=user.pk).balance)


def test_budget_smaller_than_segment_is_never_exceeded(operator: User) -> None:
    members = [member() for _ in range(5)]
    campaign = define_campaign(actor=operator, data=campaign_input(points=10, budget=25))
    assert run_campaign(campaign.pk) == 2
    campaign.refresh_from_db()
    assert (campaign.spent, campaign.left_out, campaign.status) == (20, 3, "done")
    granted = set(CampaignGrant.objects.values_list("user_id", flat=True))
    assert granted == {members[0].pk, members[1].pk}  # in ascending id order
    assert PointsEntry.objects.filter(reason="campaign_task").count() == 2


def test_rerun_grants_nobody_twice(operator: User) -> None:
    first = member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=10))
    run_campaign(campaign.pk)
    before = _balance(first)
    assert run_campaign(campaign.pk) == 0
    # Even a campaign put back to scheduled (a crash mid-way, a replay) skips members already granted.
    Campaign.objects.filter(pk=campaign.pk).update(status="scheduled")
    second = member()
    assert run_campaign(campaign.pk) == 1
    assert _balance(first) == before
    assert CampaignGrant.objects.filter(user=second).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).spent == 20


def test_coupon_campaign_counts_face_value(operator: User) -> None:
    members = [member() for _ in range(3)]
    template = coupon_template(operator, value_minor=20_00)
    campaign = define_campaign(actor=operator, data=campaign_input(reward="coupon", points=0,
                                                                   coupon_template_id=template.pk, budget=45_00))
    assert run_campaign(campaign.pk) == 2
    coupons = Coupon.objects.filter(source="campaign")
    assert sorted(coupons.values_list("user_id", flat=True)) == [members[0].pk, members[1].pk]
    assert Campaign.objects.get(pk=campaign.pk).spent == 40_00


def test_not_due_before_its_date_and_run_by_the_daily_step(operator: User) -> None:
    member()
    later = define_campaign(actor=operator, data=campaign_input(run_on=TODAY + dt.timedelta(days=3)))
    assert run_due_campaigns(TODAY) == 0
    assert run_due_campaigns(TODAY + dt.timedelta(days=3)) == 1
    assert Campaign.objects.get(pk=later.pk).status == "done"
    assert run_due_campaigns(TODAY + dt.timedelta(days=3)) == 0


def test_cancelled_campaign_never_runs(operator: User) -> None:
    member()
    campaign = define_campaign(actor=operator, data=campaign_input())
    Campaign.objects.filter(pk=campaign.pk).update(status="cancelled")
    assert run_campaign(campaign.pk) == 0
    assert not CampaignGrant.objects.exists()


def test_each_reached_member_gets_the_message_once(operator: User) -> None:
    reached = member()
    campaign = define_campaign(actor=operator, data=campaign_input(message="Double points this week"))
    run_campaign(campaign.pk)
    mine = Notification.objects.filter(user=reached, event="marketing_campaign")
    assert mine.exists()
    assert {n.params["message"] for n in mine} == {"Double points this week"}
    assert mine.count() == mine.values("channel").distinct().count()


def test_database_refuses_spending_past_the_budget(operator: User) -> None:
    campaign = define_campaign(actor=operator, data=campaign_input(budget=10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(spent=11)


def test_the_message_reads_as_typed_under_a_translated_subject() -> None:
    from peerlend.servicing import notice_texts

    subject, body = notice_texts.render("marketing_campaign", {"campaign": "Spring", "message": "100% more"},
                                        language="en")
    assert subject == "Member offer: Spring" and body == "100% more"


def test_sqlite_keeps_the_row_path_postgres_the_set_based_one(operator: User, monkeypatch) -> None:
    from django.db import connection

    from peerlend.marketing.campaigns import bulk, running

    used: list[str] = []
    real_bulk, real_rows = bulk.grant, running._grant_rows
    monkeypatch.setattr(bulk, "grant", lambda *a: used.append("bulk") or real_bulk(*a))
    monkeypatch.setattr(running, "_grant_rows", lambda *a: used.append("rows") or real_rows(*a))
    member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=10))
    assert run_campaign(campaign.pk) == 1
    assert used == (["bulk"] if connection.vendor == "postgresql" else ["rows"])
