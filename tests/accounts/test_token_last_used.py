"""When an API token was last used is kept for its owner, but written at most once an hour per token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerlend.accounts import tokens
from peerlend.accounts.models import ApiToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                                           "DELETE"))]


def _last_used(issued: tokens.IssuedToken) -> dt.datetime | None:
    return ApiToken.objects.get(pk=issued.token.pk).last_used_at


def test_first_use_is_recorded():
    issued = tokens.issue(make_user(kyc=False))
    assert _last_used(issued) is None
    assert tokens.authenticate(issued.raw) is not None
    assert _last_used(issued) is not None


def test_uses_within_the_hour_write_nothing():
    issued = tokens.issue(make_user(kyc=False))
    tokens.authenticate(issued.raw)
    first = _last_used(issued)
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert tokens.authenticate(issued.raw) is not None
    assert _writes(ctx) == []
    assert _last_used(issued) == first


def test_a_use_more_than_an_hour_later_is_recorded_again():
    issued = tokens.issue(make_user(kyc=False))
    earlier = timezone.now() - dt.timedelta(hours=1, minutes=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=earlier)
    tokens.authenticate(issued.raw)
    last = _last_used(issued)
    assert last is not None and last > earlier + dt.timedelta(hours=1)


def test_a_stale_copy_does_not_move_the_time_back_or_write_twice():
    """Two requests that read the token before either wrote: the conditional UPDATE lets only one through."""
    issued = tokens.issue(make_user(kyc=False))
    one, other = ApiToken.objects.get(pk=issued.token.pk), ApiToken.objects.get(pk=issued.token.pk)
    now = timezone.now()
    assert tokens.record_use(one, now=now) is True
    assert tokens.record_use(other, now=now + dt.timedelta(seconds=1)) is False
    assert _last_used(issued) == now
