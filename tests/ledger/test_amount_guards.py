"""Finding 2 of issue 11: the database refuses a non-integer or out-of-range amount, even past the ORM.

On SQLite an integer sum beyond 64 bits silently became a floating-point REAL: a balance ended up 353 fen
off and the audit failed. Now both databases refuse it.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from peerlend.domain.money import MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR
from peerlend.ledger import services
from peerlend.ledger.models import DepositOrder, LedgerAccount
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db
INT64_MAX = 2**63 - 1
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="PostgreSQL's bigint cannot hold a non-integer at all")


@pytest.fixture(autouse=True)
def scratch(db):
    """Roll each test's raw writes back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused(sql: str, params: tuple = ()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def _entry_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_journalentry (kind, memo, reference, created_at, posted) "
                       "VALUES ('raw', '', 'raw', CURRENT_TIMESTAMP, %s)", (False,))
        cursor.execute("SELECT MAX(id) FROM ledger_journalentry")
        return int(cursor.fetchone()[0])


def test_balance_beyond_the_range_is_refused(investor):
    fund(investor, 500)
    pk = services.user_accounts(investor).available.pk
    sql = "UPDATE ledger_ledgeraccount SET balance_minor = %s WHERE id = %s"
    assert refused(sql, (MAX_BALANCE_MINOR + 1, pk))
    assert refused(sql, (-MAX_BALANCE_MINOR - 1, pk))
    assert refused(sql, (INT64_MAX, pk))
    assert not refused(sql, (MAX_BALANCE_MINOR, pk))
    assert not refused(sql, (-MAX_BALANCE_MINOR, pk))


def test_a_sum_that_overflows_64_bits_is_refused(investor):
    """SQLite turned this sum into a REAL; PostgreSQL raises "bigint out of range". Either way: refused."""
    fund(investor, 500)
    pk = services.user_accounts(investor).available.pk
    assert refused("UPDATE ledger_ledgeraccount SET balance_minor = balance_minor + %s WHERE id = %s",
                   (INT64_MAX, pk))
    assert LedgerAccount.objects.get(pk=pk).balance_minor == 500


@sqlite_only
def test_sqlite_refuses_a_floating_point_balance_or_posting(investor):
    fund(investor, 500)
    accounts = services.user_accounts(investor)
    assert refused("UPDATE ledger_ledgeraccount SET balance_minor = %s WHERE id = %s", (500.5, accounts.available.pk))
    assert refused("UPDATE ledger_ledgeraccount SET balance_minor = balance_minor * 1.001 WHERE id = %s",
                   (accounts.available.pk,))
    assert refused("UPDATE ledger_ledgeraccount SET balance_minor = '500' || 'x' WHERE id = %s",
                   (accounts.available.pk,))
    entry_id = _entry_id()
    assert refused("INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)",
                   (entry_id, accounts.available.pk, 0.5))
    # A new account cannot start with one either.
    assert refused("INSERT INTO ledger_ledgeraccount (code, kind, currency, balance_minor, created_at) "
                   "VALUES ('platform:x', 'platform', 'CNY', %s, CURRENT_TIMESTAMP)", (1e19,))


def test_posting_beyond_the_range_is_refused(investor):
    accounts = services.user_accounts(investor)
    entry_id = _entry_id()
    sql = "INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)"
    assert refused(sql, (entry_id, accounts.available.pk, MAX_BALANCE_MINOR + 1))
    assert refused(sql, (entry_id, accounts.available.pk, -INT64_MAX))


def test_payment_amounts_beyond_the_ceiling_are_refused(investor):
    order = DepositOrder.objects.create(user=investor, amount_minor=100_00)
    assert refused("UPDATE ledger_depositorder SET amount_minor = %s WHERE id = %s", (MAX_AMOUNT_MINOR + 1, order.pk))
    with pytest.raises(DatabaseError), transaction.atomic():
        DepositOrder.objects.create(user=investor, amount_minor=INT64_MAX)
    from peerlend.ledger.models import Withdrawal
    with pytest.raises(DatabaseError), transaction.atomic():
        Withdrawal.objects.create(user=investor, amount_minor=MAX_AMOUNT_MINOR + 1)


def test_post_entry_with_an_overflowing_amount_changes_nothing(investor):
    """The scenario of the finding, below the services: custody already holds money, then a near-2**63 line."""
    fund(investor, 10_000)
    custody = services.platform_account("custody_bank")
    accounts = services.user_accounts(investor)
    with pytest.raises(DatabaseError), transaction.atomic():
        services.post_entry(kind="deposit", lines=[(custody, -(INT64_MAX - 1)), (accounts.available, INT64_MAX - 1)])
    assert LedgerAccount.objects.get(pk=accounts.available.pk).balance_minor == 10_000
    assert audit_clean()


def test_audit_reports_a_value_stored_before_the_guards(investor):
    """An existing database may hold a float balance from before the guards: the audit names it."""
    from peerlend.ledger.audit import check_amounts_are_integers_in_range

    fund(investor, 500)
    pk = services.user_accounts(investor).available.pk
    assert check_amounts_are_integers_in_range() == []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_account_balance_in_range_update")
            cursor.execute("UPDATE ledger_ledgeraccount SET balance_minor = 9.3e18 WHERE id = %s", (pk,))
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER TABLE
            cursor.execute("ALTER TABLE ledger_ledgeraccount DROP CONSTRAINT ledger_account_balance_in_range")
            cursor.execute("UPDATE ledger_ledgeraccount SET balance_minor = %s WHERE id = %s", (INT64_MAX, pk))
    (message,) = check_amounts_are_integers_in_range()
    assert f"account {pk} holds" in message and "not an integer within" in message
