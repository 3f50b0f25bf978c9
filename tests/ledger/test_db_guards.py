"""The database refuses to unbalance or rewrite the books even when the ORM is bypassed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from peerlend.ledger import services
from peerlend.ledger.models import JournalEntry, Posting
from tests.ledger.conftest import fund

pytestmark = pytest.mark.django_db

TRUE = "TRUE" if connection.vendor == "postgresql" else "1"
FALSE = "FALSE" if connection.vendor == "postgresql" else "0"


@pytest.fixture(autouse=True)
def scratch(db):
    """Roll each test's raw writes back (also discards PostgreSQL's pending commit-time checks)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused(sql: str, params: tuple = ()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        assert "ledger" in str(exc) or "check" in str(exc).lower()
        return True
    return False


def _raw_entry(posted: bool = False) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (kind, memo, reference, created_at, posted) "
            f"VALUES ('raw', '', 'raw', CURRENT_TIMESTAMP, {TRUE if posted else FALSE})"
        )
    return JournalEntry.objects.latest("pk").pk


def _raw_posting(entry_id: int, account_id: int, amount: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)",
            (entry_id, account_id, amount),
        )


def test_cannot_mark_unbalanced_entry_posted(investor):
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")
    entry_id = _raw_entry()
    _raw_posting(entry_id, acc.available.pk, 100)
    _raw_posting(entry_id, fee.pk, -99)
    assert refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id = %s", (entry_id,))
    assert not JournalEntry.objects.get(pk=entry_id).posted


def test_cannot_mark_one_posting_entry_posted(investor):
    acc = services.user_accounts(investor)
    entry_id = _raw_entry()
    assert refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id = %s", (entry_id,))
    _raw_posting(entry_id, acc.available.pk, 100)
    assert refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id = %s", (entry_id,))


def test_balanced_raw_entry_can_be_posted(investor):
    # The guard is about balance, not about who writes: a balanced entry passes.
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")
    entry_id = _raw_entry()
    _raw_posting(entry_id, acc.available.pk, 100)
    _raw_posting(entry_id, fee.pk, -100)
    assert not refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id = %s", (entry_id,))


def test_one_unbalanced_entry_refuses_the_whole_batch_posted_in_one_statement(investor):
    # PostgreSQL checks the entries a statement posts together (one set-based check per statement):
    # the balanced entries of the batch stay unposted along with the bad one.
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")
    ids = []
    for amount in (100, 200, 300):
        entry_id = _raw_entry()
        _raw_posting(entry_id, acc.available.pk, amount)
        _raw_posting(entry_id, fee.pk, -amount if amount != 200 else -199)
        ids.append(entry_id)
    lone = _raw_entry()
    _raw_posting(lone, acc.available.pk, 5)
    marks = ", ".join(["%s"] * len(ids))
    assert refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id IN ({marks})", tuple(ids))
    assert refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id IN (%s, %s)", (ids[0], lone))
    assert not JournalEntry.objects.filter(pk__in=[*ids, lone], posted=True).exists()
    assert not refused(f"UPDATE ledger_journalentry SET posted = {TRUE} WHERE id IN (%s, %s)", (ids[0], ids[2]))


def test_cannot_insert_an_entry_already_posted():
    assert refused(
        "INSERT INTO ledger_journalentry (kind, memo, reference, created_at, posted) "
        f"VALUES ('raw', '', '', CURRENT_TIMESTAMP, {TRUE})"
    )


def test_posted_entries_and_postings_are_append_only(investor):
    entry = fund(investor, 500)
    posting = Posting.objects.filter(entry=entry).first()
    assert refused("UPDATE ledger_posting SET amount_minor = 1 WHERE id = %s", (posting.pk,))
    assert refused("DELETE FROM ledger_posting WHERE id = %s", (posting.pk,))
    assert refused("UPDATE ledger_journalentry SET memo = 'edited' WHERE id = %s", (entry.pk,))
    assert refused(f"UPDATE ledger_journalentry SET posted = {FALSE} WHERE id = %s", (entry.pk,))
    assert refused("DELETE FROM ledger_journalentry WHERE id = %s", (entry.pk,))
    acc = services.user_accounts(investor)
    # Adding a posting to a posted entry would unbalance it.
    assert refused(
        "INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)",
        (entry.pk, acc.frozen.pk, 1),
    )
    assert Posting.objects.filter(entry=entry).count() == 2


def test_zero_posting_refused_by_check_constraint(investor):
    acc = services.user_accounts(investor)
    entry_id = _raw_entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, 0)",
            (entry_id, acc.available.pk),
        )


def test_orm_bulk_update_is_refused_too(investor):
    entry = fund(investor, 500)
    with pytest.raises(DatabaseError), transaction.atomic():
        Posting.objects.filter(entry=entry).update(amount_minor=7)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.postgres
def test_postgres_deferred_check_refuses_unposted_entry_at_commit(investor):
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")

    def attempt() -> None:
        with transaction.atomic():
            entry_id = _raw_entry()
            _raw_posting(entry_id, acc.available.pk, 100)
            _raw_posting(entry_id, fee.pk, -100)
            with connection.cursor() as cursor:
                # Fire the deferred constraint triggers now, as COMMIT would.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match="unposted at commit"):
        attempt()

