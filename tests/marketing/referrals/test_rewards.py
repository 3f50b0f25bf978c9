"""Deciding a referral: rewards to both sides once, and each anti-abuse rule with its recorded reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from peerlend.accounts.models import Identity, User
from peerlend.marketing.models_members import PointsEntry, PointsReason
from peerlend.marketing.models_referrals import Referral, ReferralStatus, RefusalReason
from peerlend.marketing.referrals.rewards import decide, step_referrals
from tests.factories import make_identity, make_user, random_bank_card, random_resident_id
from tests.marketing.members.conftest import assert_books
from tests.marketing.referrals.conftest import START


def referral_points(user: User) -> int:
    return sum(PointsEntry.objects.filter(member_id=user.pk, reason=PointsReason.REFERRAL)
               .values_list("delta", flat=True))


def test_both_sides_are_rewarded(refer: Callable[..., Referral], referrer: User, rules: dict[str, Any],
                                 qualified: None) -> None:
    referral = decide(refer().pk, START)
    assert referral.status == ReferralStatus.REWARDED and referral.trigger == "first_investment"
    assert referral_points(referrer) == 500 and referral_points(referral.referee) == 300
    assert_books(referrer)


def test_rewarded_once_when_the_step_runs_again(refer: Callable[..., Referral], referrer: User,
                                                rules: dict[str, Any], qualified: None) -> None:
    refer()
    assert step_referrals(START, 100) == 1
    assert step_referrals(START, 100) == 0
    assert referral_points(referrer) == 500


def test_waits_until_the_referee_qualifies(refer: Callable[..., Referral], referrer: User,
                                           rules: dict[str, Any]) -> None:
    referral = decide(refer().pk, START)
    assert referral.status == ReferralStatus.PENDING and referral_points(referrer) == 0


def test_waits_for_a_verified_referee(refer: Callable[..., Referral], rules: dict[str, Any],
                                      qualified: None) -> None:
    referral = decide(refer(make_user(kyc=False)).pk, START)
    assert referral.status == ReferralStatus.PENDING


def test_same_identity_is_refused(db: None, rules: dict[str, Any], qualified: None,
                                  refer: Callable[..., Referral]) -> None:
    resident_id = random_resident_id()
    me = make_user(kyc=False)
    make_identity(me, resident_id=resident_id)
    # A company account whose legal representative is the referrer: the same person.
    company = make_user(kyc=False)
    make_identity(company, resident_id=resident_id, kind="company")
    referral = decide(refer(company, by=me).pk, START)
    assert referral.status == ReferralStatus.REFUSED and referral.refusal_reason == RefusalReason.SAME_IDENTITY
    assert referral_points(me) == 0 and referral_points(company) == 0


def test_same_bank_card_is_refused(db: None, rules: dict[str, Any], qualified: None,
                                   refer: Callable[..., Referral]) -> None:
    me, other = make_user(kyc=False), make_user(kyc=False)
    mine = make_identity(me, bank_card=random_bank_card())
    make_identity(other)
    # KYC refuses a card already on the platform; a card shared another way (older data, a company's
    # legal representative) is what this rule catches: the blind indexes are made equal here.
    Identity.objects.filter(user=other).update(bank_card_index=mine.bank_card_index)
    referral = decide(refer(other, by=me).pk, START)
    assert referral.status == ReferralStatus.REFUSED and referral.refusal_reason == RefusalReason.SAME_CARD


def test_the_monthly_cap_refuses_the_rest(refer: Callable[..., Referral], referrer: User,
                                          rules: dict[str, Any], qualified: None) -> None:
    ids = [refer().pk for _ in range(3)]
    decided = [decide(i, START) for i in ids]
    assert [r.status for r in decided] == ["rewarded", "rewarded", "refused"]
    assert decided[2].refusal_reason == RefusalReason.MONTHLY_CAP
    assert referral_points(referrer) == 1000


def test_the_cap_starts_again_next_month(refer: Callable[..., Referral], referrer: User,
                                         rules: dict[str, Any], qualified: None) -> None:
    for _ in range(2):
        decide(refer().pk, START)
    next_month = (START.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert decide(refer().pk, next_month).status == ReferralStatus.REWARDED


def test_a_refused_referral_stays_refused(refer: Callable[..., Referral], rules: dict[str, Any],
                                          qualified: None) -> None:
    referral = refer()
    Referral.objects.filter(pk=referral.pk).update(status="refused", refusal_reason="monthly_cap",
                                                   decided_on=START)
    assert decide(referral.pk, START).status == ReferralStatus.REFUSED
    assert referral_points(referral.referrer) == 0
