"""Builders for referral tests: a referrer with a code and referees linked to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.marketing.models_referrals import Referral, ReferralCode
from peerlend.marketing.referrals import rewards
from peerlend.marketing.referrals.signup import record_signup
from tests.factories import make_user
from tests.lending.conftest import START, business_day  # noqa: F401  (autouse fixture)


@pytest.fixture
def rules(settings: Any) -> dict[str, Any]:
    """Only referral points (no registration or identity points) so a test sees its own entries."""
    settings.PEERLEND_MEMBERS = {"REGISTRATION_POINTS": 0, "IDENTITY_POINTS": 0, "BIRTHDAY_POINTS": 0}
    settings.PEERLEND_REFERRALS = {"REFERRER_POINTS": 500, "REFEREE_POINTS": 300, "MONTHLY_CAP": 2}
    return settings.PEERLEND_REFERRALS


@pytest.fixture
def qualified(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every referee counts as having invested (the real triggers have their own tests)."""
    monkeypatch.setattr(rewards, "trigger_of", lambda referee_id: "first_investment")


@pytest.fixture
def referrer(db: None) -> User:
    return make_user()


def code(user: User) -> str:
    return ReferralCode.objects.get(user=user).code


@pytest.fixture
def refer(referrer: User) -> Callable[..., Referral]:
    def build(referee: User | None = None, *, device_hash: str = "", by: User | None = None) -> Referral:
        return record_signup(referee or make_user(), code=code(by or referrer), device_hash=device_hash)

    return build


__all__ = ["START", "code"]
