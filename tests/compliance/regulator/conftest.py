from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from peerlend.accounts.models import User
from peerlend.clock import set_business_date
from tests.factories import make_staff

TODAY = dt.date(2025, 3, 31)

# Every regulator route with a GET that answers 200 for the regulator ({member} is filled in by the tests).
PAGES = (
    "/regulator/",
    "/regulator/loans?status=late",
    "/regulator/members?q=user",
    "/regulator/members/{member}",
    "/regulator/audit",
    "/regulator/access-log",
    "/regulator/exports/",
    "/regulator/exports/loans.csv?from=2025-01-01&to=2025-03-31",
    "/regulator/exports/notes.xlsx?from=2025-01-01&to=2025-03-31",
    "/regulator/exports/repayments.csv?from=2025-01-01&to=2025-03-31",
    "/regulator/exports/overdue.csv?from=2025-01-01&to=2025-03-31",
    "/regulator/exports/compensation.xlsx?from=2025-01-01&to=2025-03-31",
    "/regulator/reconciliation",
    "/regulator/reconciliation.csv?from=2025-01-01&to=2025-03-31",
    "/regulator/reconciliation.xlsx?from=2025-01-01&to=2025-03-31&by=month",
)


@pytest.fixture
def today(db: None) -> dt.date:
    set_business_date(TODAY)
    return TODAY


@pytest.fixture
def regulator(db: None) -> User:
    return make_staff("regulator")


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def reg_client(regulator: User, today: dt.date) -> Client:
    return client_of(regulator)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    # Users are made in nearly every test here; argon2 is slow on purpose and not what is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
