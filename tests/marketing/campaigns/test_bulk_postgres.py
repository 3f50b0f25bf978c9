"""PostgreSQL: the set-based campaign grant (campaigns/bulk.py) on crafted members."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from peerlend.accounts.models import User
from peerlend.ledger.models import OutboxMessage
from peerlend.marketing.campaigns import bulk
from peerlend.marketing.campaigns.running import run_campaign
from peerlend.marketing.campaigns.services import define_campaign
from peerlend.marketing.coupons.codes import ALPHABET, LENGTH
from peerlend.marketing.members.points import award_points
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from peerlend.marketing.models_coupons import Coupon
from peerlend.marketing.models_members import Member, PointsEntry
from peerlend.marketing.models_staff import MemberTag
from peerlend.marketing.segments.members import members_of, segment_sql
from peerlend.servicing.models import Notification, NotificationPreference
from tests.factories import make_user
from tests.marketing.campaigns.conftest import TODAY, campaign_input, coupon_template, loan, member, note, repayment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _entries_sum(user: User) -> tuple[int, int]:
    rows = PointsEntry.objects.filter(member_id=user.pk)
    return sum(r.delta for r in rows), sum(r.remaining for r in rows)


def test_budget_cut_keeps_the_lowest_ids_exactly(operator: User) -> None:
    members = [member() for _ in range(40)]
    campaign = define_campaign(actor=operator, data=campaign_input(points=7, budget=7 * 25 + 6))
    assert run_campaign(campaign.pk) == 25
    done = Campaign.objects.get(pk=campaign.pk)
    assert (done.spent, done.left_out) == (175, 15)
    assert sorted(CampaignGrant.objects.values_list("user_id", flat=True)) == [m.pk for m in members[:25]]


def test_points_add_to_an_existing_balance_and_entries_sum(operator: User) -> None:
    old, new = member(), member()
    award_points(old, 50, reason="campaign_task", reference="x", idempotency_key="before")
    before = {u.pk: _entries_sum(u)[0] for u in (old, new)}  # registration points, and the 50
    campaign = define_campaign(actor=operator, data=campaign_input(points=10))
    assert run_campaign(campaign.pk) == 2
    for user in (old, new):
        balance = before[user.pk] + 10
        assert Member.objects.get(pk=user.pk).balance == balance
        assert _entries_sum(user) == (balance, balance)
    entry = PointsEntry.objects.get(member_id=new.pk, idempotency_key=f"campaign:{campaign.pk}")
    assert (entry.idempotency_key, entry.reason, entry.booked_on) == (f"campaign:{campaign.pk}", "campaign_task", TODAY)


def test_a_points_key_already_used_adds_nothing(operator: User) -> None:
    user = member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=10))
    award_points(user, 10, reason="campaign_task", reference="r", idempotency_key=f"campaign:{campaign.pk}")
    before = (Member.objects.get(pk=user.pk).balance, PointsEntry.objects.filter(member_id=user.pk).count())
    assert run_campaign(campaign.pk) == 1
    assert (Member.objects.get(pk=user.pk).balance, PointsEntry.objects.filter(member_id=user.pk).count()) == before


def test_rerun_after_a_reset_grants_only_newcomers(operator: User) -> None:
    first = member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=10, budget=100))
    run_campaign(campaign.pk)
    after_first = Member.objects.get(pk=first.pk).balance
    Campaign.objects.filter(pk=campaign.pk).update(status="scheduled")
    second = member()
    assert run_campaign(campaign.pk) == 1
    assert Member.objects.get(pk=first.pk).balance == after_first
    assert list(CampaignGrant.objects.order_by("user_id").values_list("user_id", flat=True)) == [first.pk, second.pk]
    assert Campaign.objects.get(pk=campaign.pk).spent == 20


def test_coupons_get_unique_codes_and_a_taken_code_is_drawn_again(operator: User, monkeypatch) -> None:
    members = [member() for _ in range(4)]
    template = coupon_template(operator, value_minor=20_00)
    taken = Coupon.objects.create(template=template, user=members[0], code="TAKEN2345678", kind=template.kind,
                                  channel=template.channel, source="operator", issue_key="x", issued_on=TODAY,
                                  expires_on=template.valid_until)
    fresh = (f"{n:0{LENGTH}d}".translate(str.maketrans("0123456789", ALPHABET[:10])) for n in itertools.count())
    draws = iter(["TAKEN2345678"] + [next(fresh) for _ in range(20)])
    monkeypatch.setattr(bulk, "new_code", lambda: next(draws))
    campaign = define_campaign(actor=operator, data=campaign_input(reward="coupon", points=0, budget=100_00,
                                                                   coupon_template_id=template.pk))
    assert run_campaign(campaign.pk) == 4
    coupons = Coupon.objects.filter(source="campaign")
    assert coupons.count() == 4 and taken.code not in set(coupons.values_list("code", flat=True))
    grants = CampaignGrant.objects.filter(campaign=campaign)
    assert {(g.user_id, g.coupon.user_id, g.cost) for g in grants} == {(m.pk, m.pk, 20_00) for m in members}
    assert Campaign.objects.get(pk=campaign.pk).spent == 80_00


def test_closed_template_grants_nothing(operator: User) -> None:
    member()
    template = coupon_template(operator)
    campaign = define_campaign(actor=operator, data=campaign_input(reward="coupon", points=0, budget=100_00,
                                                                   coupon_template_id=template.pk))
    template.active = False
    template.save(update_fields=["active"])
    with pytest.raises(Exception, match="no longer offered"):
        run_campaign(campaign.pk)
    assert not CampaignGrant.objects.exists() and not Coupon.objects.exists()


def test_messages_follow_each_members_channels_with_outbox_rows(operator: User) -> None:
    plain = member()  # no e-mail, no identity: inbox only
    mailed = member()
    User.objects.filter(pk=mailed.pk).update(email="m@example.com")
    opted_out = member()
    User.objects.filter(pk=opted_out.pk).update(email="o@example.com")
    NotificationPreference.objects.create(user=opted_out, email=False, sms=True)
    verified = make_user(roles=("investor",))  # an identity: SMS too
    User.objects.filter(pk=verified.pk).update(email="v@example.com")
    campaign = define_campaign(actor=operator, data=campaign_input(points=1, budget=100, message="Hi"))
    run_campaign(campaign.pk)
    got = {(n.user_id, n.channel) for n in Notification.objects.filter(event="marketing_campaign")}
    assert got == {(plain.pk, "inbox"), (mailed.pk, "inbox"), (mailed.pk, "email"), (opted_out.pk, "inbox"),
                   (verified.pk, "inbox"), (verified.pk, "email"), (verified.pk, "sms")}
    rows = Notification.objects.filter(event="marketing_campaign")
    assert {n.params["message"] for n in rows} == {"Hi"}
    assert all(n.status == "sent" for n in rows.filter(channel="inbox"))
    outgoing = {f"notice:{pk}" for pk in rows.exclude(channel="inbox").values_list("pk", flat=True)}
    assert set(OutboxMessage.objects.filter(kind="notice").values_list("key", flat=True)) == outgoing


def test_segment_sql_holds_the_same_members_as_the_lists(operator: User) -> None:
    day = TODAY - dt.timedelta(days=100)
    investors = [member() for _ in range(6)]
    for i, user in enumerate(investors[:5]):
        for n in range(i + 1):
            note(user, (i + 1) * 100_00, TODAY - dt.timedelta(days=200 - 30 * i + n))
    good = member(("borrower",))
    loan(good, status="fully_paid", installments=((day, day),))
    repayment(good, 50_00, day)
    agent = member(("agent",))
    MemberTag.objects.create(member=investors[1], tag="vip", added_by=agent)
    MemberTag.objects.create(member=investors[1], tag="teacher", added_by=agent)
    MemberTag.objects.create(member=investors[3], tag="vip", added_by=agent)
    for segment, extra in (("rfm_champions", {}), ("rfm_at_risk", {}), ("never_invested", {}),
                           ("lapsed_investors", {"lapsed_days": 150}), ("borrowers_paid_off", {}),
                           ("tagged", {"tag": "vip"})):
        campaign = Campaign(segment=segment, **extra)
        sql, params = segment_sql(campaign, TODAY)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(sql, params)
            ids = sorted(r[0] for r in cur.fetchall())
        assert ids == members_of(campaign, TODAY), segment
        assert ids or segment == "rfm_at_risk", segment
