"""Small readers shared by the wealth-plan tests."""

from __future__ import annotations

from datetime import date, timedelta

from peerlend.accounts.models import User
from peerlend.ledger.models import JournalEntry
from peerlend.servicing.batch import run_days
from tests.lending.conftest import balances


def cash(user: User) -> tuple[int, int]:
    """(available, frozen) of ``user``."""
    return balances(user)


def entries(kind: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(kind=kind).order_by("pk"))


def run_through(start: date, until: date) -> None:
    run_days(start, until)


def day_after(d: date) -> date:
    return d + timedelta(days=1)
