"""Recording a sign-up with a code: once per referee, unknown codes refused, the device rule at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peerlend.accounts.models import User
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.marketing.models_referrals import MemberDevice, Referral, ReferralStatus, RefusalReason
from peerlend.marketing.referrals.devices import device_hash, remember_device
from peerlend.marketing.referrals.signup import record_signup
from tests.factories import make_agent, make_service_point, make_user
from tests.marketing.referrals.conftest import START, code


def test_a_signup_links_referee_to_referrer(refer: Callable[..., Referral], referrer: User) -> None:
    referral = refer()
    assert referral.referrer_id == referrer.pk and referral.status == ReferralStatus.PENDING
    assert referral.registered_on == START


def test_an_unknown_code_is_refused(db: None) -> None:
    with pytest.raises(ApplicationError) as exc:
        record_signup(make_user(), code="ZZZZZZZZ")
    assert exc.value.code == "unknown_referral_code" and not Referral.objects.exists()


def test_one_cannot_use_ones_own_code(referrer: User) -> None:
    with pytest.raises(ApplicationError):
        record_signup(referrer, code=code(referrer))


def test_a_replay_returns_the_first_link(refer: Callable[..., Referral]) -> None:
    referee = make_user()
    first = refer(referee)
    again = refer(referee, by=make_user())
    assert again.pk == first.pk and again.referrer_id == first.referrer_id


def test_same_device_as_the_referrer_is_refused_at_once(refer: Callable[..., Referral], referrer: User) -> None:
    digest = device_hash("Mozilla/5.0 phone", "10.0.0.7")
    remember_device(referrer.pk, digest, START)
    referral = refer(device_hash=digest)
    assert referral.status == ReferralStatus.REFUSED and referral.refusal_reason == RefusalReason.SAME_DEVICE


def test_another_device_stays_pending_and_is_remembered(refer: Callable[..., Referral], referrer: User) -> None:
    remember_device(referrer.pk, device_hash("Mozilla/5.0 phone", "10.0.0.7"), START)
    referral = refer(device_hash=device_hash("Mozilla/5.0 other", "10.0.0.8"))
    assert referral.status == ReferralStatus.PENDING
    assert MemberDevice.objects.filter(user_id=referral.referee_id).count() == 1


def test_the_device_hash_is_keyed_not_raw() -> None:
    digest = device_hash("UA", "1.2.3.4")
    assert len(digest) == 64 and "1.2.3.4" not in digest and digest != device_hash("UA", "1.2.3.5")


def test_an_agent_records_a_referral_audited(referrer: User) -> None:
    point = make_service_point()
    agent = make_agent(point)
    referral = record_signup(make_user(), code=code(referrer), device_hash="abc", agent=agent)
    assert referral.channel == "agent" and referral.agent_id == agent.pk and referral.device_hash == ""
    assert AuditEvent.objects.filter(action="marketing.referral_recorded", actor=agent).exists()


def test_only_agents_record_for_others(referrer: User) -> None:
    with pytest.raises(ApplicationError):
        record_signup(make_user(), code=code(referrer), agent=make_user())
    assert not Referral.objects.exists()
