"""The statements ``ledger.services.post_entries`` runs, written out (portable SQL, bound parameters).

They run for every money movement, and building them through the ORM cost several times what the database
does. PostgreSQL gets whole columns as arrays; SQLite multi-row ``VALUES`` in chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from peerlend.bulk_sql import bulk_increment, chunks, unnest_select
from peerlend.clock import business_date as current_business_date
from peerlend.ledger.models import JournalEntry, LedgerAccount, Posting

if TYPE_CHECKING:
    from peerlend.ledger.services import EntrySpec

# The statements of post_entries are written out (portable SQL, bound parameters): they run for every
# money movement, and building them through the ORM cost several times what the database does.
_ROWS_PER_STATEMENT = 2000  # stays under SQLite's bound-parameter limit


def _pg() -> bool:
    """PostgreSQL takes whole columns as arrays (``unnest``, ``= ANY``): one statement text and a few
    parameters for any number of rows, where SQLite gets multi-row ``VALUES`` in chunks."""
    return connection.vendor == "postgresql"


def locked_balances(account_ids: list[int]) -> dict[int, int]:
    """Balance of each account, its row locked (``FOR UPDATE`` where the database has row locks), in id order."""
    q = connection.ops.quote_name
    table = q(LedgerAccount._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    out: dict[int, int] = {}
    with connection.cursor() as cursor:
        if _pg():
            cursor.execute(f"SELECT id, balance_minor FROM {table} WHERE id = ANY(%s) ORDER BY id{lock}",  # noqa: S608
                           [list(account_ids)])
            return {int(pk): int(balance) for pk, balance in cursor.fetchall()}
        for part in chunks(account_ids, _ROWS_PER_STATEMENT):
            cursor.execute(
                f"SELECT id, balance_minor FROM {table} WHERE id IN ({', '.join(['%s'] * len(part))}) "  # noqa: S608
                f"ORDER BY id{lock}",
                part,
            )
            out.update((int(pk), int(balance)) for pk, balance in cursor.fetchall())
    return out


def insert_entries(specs: Sequence[EntrySpec]) -> list[JournalEntry]:
    """Insert the entries (not yet posted) and return them with their ids, in order."""
    q = connection.ops.quote_name
    meta = JournalEntry._meta
    now = timezone.now()
    created_at = meta.get_field("created_at").get_db_prep_save(now, connection)
    day = meta.get_field("business_date")
    # An entry posted without a business date gets the one in force: statements and reports place every
    # movement on the platform's calendar, which a simulated or batch-run day makes differ from the wall clock.
    today = current_business_date() if any(spec.business_date is None for spec in specs) else None
    entries = [
        JournalEntry(kind=spec.kind, memo=spec.memo[:255], reference=spec.reference[:120],
                     business_date=spec.business_date or today, created_at=now, posted=False)
        for spec in specs
    ]
    names = ("kind", "memo", "reference", "business_date", "created_at", "posted")
    columns = ", ".join(q(meta.get_field(f).column) for f in names)
    with connection.cursor() as cursor:
        if _pg():
            select, arrays = unnest_select([meta.get_field(f) for f in names], [
                (e.kind, e.memo, e.reference, e.business_date, now, False) for e in entries])
            cursor.execute(f"INSERT INTO {q(meta.db_table)} ({columns}) {select} RETURNING id", arrays)
            # The rows are inserted in the arrays' order and take ascending ids.
            for entry, (pk,) in zip(entries, sorted(cursor.fetchall()), strict=True):
                entry.pk = pk
                entry._state.adding = False
                entry._state.db = connection.alias
            return entries
        for part in chunks(entries, _ROWS_PER_STATEMENT):
            params: list[Any] = []
            for entry in part:
                params += [entry.kind, entry.memo, entry.reference,
                           day.get_db_prep_save(entry.business_date, connection), created_at, False]
            cursor.execute(
                f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - our identifiers
                f"{', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(part))} RETURNING id",
                params,
            )
            ids = [int(row[0]) for row in cursor.fetchall()]
            if len(ids) != len(part):  # pragma: no cover - both databases return every id
                raise RuntimeError("the database did not return the new entries' ids")
            # Multi-row INSERT ... RETURNING gives the rows in insertion order on SQLite and PostgreSQL
            # (Django's bulk_create relies on the same); ids also ascend with insertion order.
            for entry, pk in zip(part, sorted(ids), strict=True):
                entry.pk = pk
                entry._state.adding = False
                entry._state.db = connection.alias
    return entries


def insert_postings(rows: list[tuple[int, int, int]]) -> None:
    """Insert (entry id, account id, amount) postings."""
    q = connection.ops.quote_name
    meta = Posting._meta
    names = ("entry", "account", "amount_minor")
    columns = ", ".join(q(meta.get_field(f).column) for f in names)
    with connection.cursor() as cursor:
        if _pg():
            select, arrays = unnest_select([meta.get_field(f) for f in names], rows)
            cursor.execute(f"INSERT INTO {q(meta.db_table)} ({columns}) {select}", arrays)
            return
        for part in chunks(rows, _ROWS_PER_STATEMENT):
            cursor.execute(
                f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - our identifiers
                f"{', '.join(['(%s, %s, %s)'] * len(part))}",
                [value for row in part for value in row],
            )


def mark_posted(entry_ids: list[int]) -> None:
    q = connection.ops.quote_name
    table = q(JournalEntry._meta.db_table)
    with connection.cursor() as cursor:
        if _pg():
            cursor.execute(f"UPDATE {table} SET posted = %s WHERE id = ANY(%s)", [True, list(entry_ids)])  # noqa: S608
            return
        for part in chunks(entry_ids, _ROWS_PER_STATEMENT):
            cursor.execute(
                f"UPDATE {table} SET posted = %s WHERE id IN ({', '.join(['%s'] * len(part))})",  # noqa: S608
                [True, *part],
            )


def add_to_balances(deltas: dict[int, int]) -> None:
    """``balance_minor += delta`` for every account in one statement (rows already locked)."""
    bulk_increment(LedgerAccount, "balance_minor", deltas)
