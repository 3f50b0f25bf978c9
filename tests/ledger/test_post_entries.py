"""``post_entries``: many entries in one atomic step, each account's balance updated once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerlend.errors import ApplicationError
from peerlend.ledger import services
from peerlend.ledger.models import JournalEntry, LedgerAccount, Posting
from peerlend.ledger.services import EntrySpec
from tests.factories import make_user
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, dict[int, int]]:
    return (JournalEntry.objects.count(), Posting.objects.count(),
            dict(LedgerAccount.objects.values_list("pk", "balance_minor")))


def test_balanced_batch_posts_every_entry_in_order(investor):
    other = make_user()
    fund(investor, 10_000)
    a, b = services.user_accounts(investor).available, services.user_accounts(other).available
    fee = services.platform_account("fee_income")
    specs = [
        EntrySpec(kind="t1", lines=[(a, -3_000), (b, 2_900), (fee, 100)], reference="r1", memo="m1"),
        EntrySpec(kind="t2", lines=[(b, -2_000), (a, 2_000)], reference="r2"),
        EntrySpec(kind="t3", lines=[(a, -500), (fee, 500)], reference="r3"),
    ]
    entries = services.post_entries(specs)
    assert [e.kind for e in entries] == ["t1", "t2", "t3"]
    assert [e.reference for e in entries] == ["r1", "r2", "r3"]
    assert all(e.posted for e in entries)
    assert all(e.pk for e in entries) and len({e.pk for e in entries}) == 3
    for entry in entries:
        entry.refresh_from_db()
        assert entry.posted
        assert sum(p.amount_minor for p in entry.postings.all()) == 0
    assert dict(Posting.objects.filter(entry=entries[0]).values_list("account_id", "amount_minor")) == {
        a.pk: -3_000, b.pk: 2_900, fee.pk: 100}
    # Net: a 10000 - 3000 + 2000 - 500; b 2900 - 2000; the caller's objects are current too.
    assert (a.balance_minor, b.balance_minor, fee.balance_minor) == (8_500, 900, 600)
    for acc in (a, b, fee):
        stored = LedgerAccount.objects.get(pk=acc.pk).balance_minor
        assert stored == acc.balance_minor
        assert stored == sum(Posting.objects.filter(account=acc).values_list("amount_minor", flat=True))
    assert audit_clean()


def test_empty_batch_is_a_no_op():
    assert services.post_entries([]) == []


def test_one_unbalanced_spec_rejects_the_whole_batch(investor):
    fund(investor, 10_000)
    a = services.user_accounts(investor).available
    fee = services.platform_account("fee_income")
    before = _state()
    with pytest.raises(ValueError, match="does not balance"):
        services.post_entries([
            EntrySpec(kind="ok", lines=[(a, -100), (fee, 100)]),
            EntrySpec(kind="bad", lines=[(a, -100), (fee, 99)]),
        ])
    assert _state() == before


def test_insufficient_funds_midway_rejects_the_whole_batch_and_writes_nothing(investor):
    fund(investor, 1_000)
    a = services.user_accounts(investor).available
    fee = services.platform_account("fee_income")
    before = _state()
    # Each entry alone fits the starting balance; the running balance runs out at the third.
    specs = [EntrySpec(kind=f"fee{i}", lines=[(a, -400), (fee, 400)]) for i in range(3)]
    with pytest.raises(ApplicationError) as err:
        services.post_entries(specs)
    assert err.value.code == "insufficient_funds"
    assert "have 2.00" in err.value.message and "need 4.00" in err.value.message
    assert _state() == before
    assert a.balance_minor == 1_000  # the caller's object is untouched too


def test_a_credit_earlier_in_the_batch_funds_a_later_debit(investor):
    a = services.user_accounts(investor).available
    custody = services.platform_account("custody_bank")
    fee = services.platform_account("fee_income")
    services.post_entries([
        EntrySpec(kind="deposit", lines=[(custody, -700), (a, 700)]),
        EntrySpec(kind="fee", lines=[(a, -700), (fee, 700)]),
    ])
    assert LedgerAccount.objects.get(pk=a.pk).balance_minor == 0
    # ... but not the other way round: entries are checked in order.
    with pytest.raises(ApplicationError):
        services.post_entries([
            EntrySpec(kind="fee", lines=[(a, -700), (fee, 700)]),
            EntrySpec(kind="deposit", lines=[(custody, -700), (a, 700)]),
        ])


def test_each_account_balance_is_updated_once_per_batch():
    users = [make_user() for _ in range(3)]
    accounts = [services.user_accounts(u).available for u in users]
    custody = services.platform_account("custody_bank")
    fee = services.platform_account("fee_income")
    specs = [
        EntrySpec(kind="deposit", lines=[(custody, -1_000), (acc, 990), (fee, 10)], reference=f"d{n}")
        for n in range(20) for acc in accounts
    ]
    with CaptureQueriesContext(connection) as ctx:
        services.post_entries(specs)
    updates = [q["sql"] for q in ctx.captured_queries
               if re.search(r"UPDATE\s+\"?ledger_ledgeraccount", q["sql"], re.IGNORECASE)]
    assert len(updates) == 1  # one statement for all five accounts, not one per entry
    posted = [q["sql"] for q in ctx.captured_queries
              if re.search(r"UPDATE\s+\"?ledger_journalentry", q["sql"], re.IGNORECASE)]
    assert len(posted) == 1
    for acc in accounts:
        assert LedgerAccount.objects.get(pk=acc.pk).balance_minor == 20 * 990
    assert LedgerAccount.objects.get(pk=fee.pk).balance_minor == 60 * 10
    assert audit_clean()


def test_post_entry_is_a_batch_of_one(investor):
    fund(investor, 500)
    a = services.user_accounts(investor).available
    fee = services.platform_account("fee_income")
    with CaptureQueriesContext(connection) as ctx:
        entry = services.post_entry(kind="fee", lines=[(a, -200), (fee, 200)], reference="one")
    assert entry.posted and a.balance_minor == 300
    updates = [q for q in ctx.captured_queries
               if re.search(r"UPDATE\s+\"?ledger_ledgeraccount", q["sql"], re.IGNORECASE)]
    assert len(updates) == 1
