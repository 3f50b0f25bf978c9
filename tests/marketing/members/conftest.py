"""Builders for member and points tests: a business date and members with a known balance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.marketing.models_members import Member, PointsEntry
from tests.factories import make_user
from tests.lending.conftest import START, business_day  # noqa: F401  (autouse fixture)


@pytest.fixture
def quiet_rules(settings: Any) -> dict[str, Any]:
    """No automatic earnings (registration, identity, birthdays), so a test sees only its own entries.

    Birthdays too: factory members get random birth dates, so one of them is sometimes born on the test's
    business date; the birthday tests switch the gift back on."""
    settings.PEERLEND_MEMBERS = {"REGISTRATION_POINTS": 0, "IDENTITY_POINTS": 0, "BIRTHDAY_POINTS": 0}
    return settings.PEERLEND_MEMBERS


@pytest.fixture
def member_factory(db: None) -> Callable[..., User]:
    def build(**kwargs: Any) -> User:
        kwargs.setdefault("kyc", False)
        return make_user(**kwargs)

    return build


def balance(user: User) -> int:
    return int(Member.objects.filter(pk=user.pk).values_list("balance", flat=True).first() or 0)


def entries_sum(user: User) -> int:
    return sum(PointsEntry.objects.filter(member_id=user.pk).values_list("delta", flat=True))


def lots_sum(user: User) -> int:
    return sum(PointsEntry.objects.filter(member_id=user.pk).values_list("remaining", flat=True))


def assert_books(user: User) -> None:
    """The member's entries and open lots both sum to the stored balance."""
    assert entries_sum(user) == balance(user) == lots_sum(user)


__all__ = ["START", "assert_books", "balance", "date"]
