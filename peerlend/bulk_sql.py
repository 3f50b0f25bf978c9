"""The hand-written bulk SQL, kept for measured speed, in one place: chunking, a set-based bulk update of
fields (servicing's loan book), and a set-based bulk increment (the ledger's balances).

Django's ``bulk_update`` builds a CASE expression per row and field in Python, which costs far
more than the database work at batch sizes; :func:`bulk_set` is the same update, set-based.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

# Bound parameters per statement: under SQLite's limit (32766), and a statement PostgreSQL plans quickly.
MAX_PARAMS = 30000


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def bulk_set(model: Any, objs: Sequence[Any], fields: Sequence[str], batch: int = 2000) -> None:
    """Write ``fields`` of many rows in one statement per batch: ``WITH v(...) AS (VALUES ...) UPDATE ... FROM v``."""
    if not objs:
        return
    table = model._meta.db_table
    cols = [model._meta.get_field(f) for f in fields]
    q = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    names = ", ".join(["id", *(q(c.column) for c in cols)])
    sets = ", ".join(
        f"{q(c.column)} = " + (f"CAST(v.{q(c.column)} AS {c.db_type(connection)})" if pg else f"v.{q(c.column)}")
        for c in cols
    )
    row_sql = "(" + ", ".join(["%s"] * (len(cols) + 1)) + ")"
    size = max(1, min(batch, MAX_PARAMS // (len(cols) + 1)))
    with connection.cursor() as cursor:
        for part in chunks(objs, size):
            params: list[Any] = []
            for obj in part:
                params.append(obj.pk)
                params.extend(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in cols)
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row_sql] * len(part))}) "  # noqa: S608 - identifiers are ours
                f"UPDATE {q(table)} SET {sets} FROM v WHERE {q(table)}.id = v.id",
                params,
            )


def bulk_increment(model: Any, column: str, deltas: dict[int, int], batch: int = 10_000) -> None:
    """``column += delta`` for many rows by id, in one statement per batch (rows already locked)."""
    if not deltas:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    col = q(model._meta.get_field(column).column)
    if connection.vendor == "postgresql":  # two arrays: the same statement text for any number of rows
        ids, amounts = zip(*sorted(deltas.items()), strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {col} = {table}.{col} + v.delta "  # noqa: S608 - our identifiers
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, delta) WHERE {table}.id = v.id",
                [list(ids), list(amounts)],
            )
        return
    delta = "v.delta"
    with connection.cursor() as cursor:
        for part in chunks(sorted(deltas.items()), min(batch, MAX_PARAMS // 2)):
            cursor.execute(
                f"WITH v(id, delta) AS (VALUES {', '.join(['(%s, %s)'] * len(part))}) "  # noqa: S608 - our identifiers
                f"UPDATE {table} SET {col} = {table}.{col} + {delta} FROM v WHERE {table}.id = v.id",
                [value for row in part for value in row],
            )


def insert_rows(model: Any, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows given as tuples of ``fields`` (attribute names), ids not needed back.

    PostgreSQL: one ``COPY`` (no statement text or parameter list growing with the rows, which a client-side
    bound ``INSERT`` of thousands of rows spends more time on than the database does); elsewhere
    ``bulk_create``. Give every field that has no database default (``auto_now_add`` included), each value
    in its database form (ids, not objects; aware datetimes), JSON fields as Python values.
    """
    if not rows:
        return
    cols = [model._meta.get_field(f) for f in fields]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=1000)
        return
    q = connection.ops.quote_name
    # Ids, numbers, text and aware datetimes go as they are; only JSON needs the field's adapter (preparing
    # every value through its field costs more than the COPY itself).
    json_at = [i for i, c in enumerate(cols) if c.get_internal_type() == "JSONField"]
    with connection.cursor() as cursor, cursor.cursor.copy(  # the driver's cursor: Django's wraps no COPY
            f"COPY {q(model._meta.db_table)} ({', '.join(q(c.column) for c in cols)}) FROM STDIN") as copy:
        for row in rows:
            values = list(row)
            for i in json_at:
                values[i] = cols[i].get_db_prep_save(values[i], connection)
            copy.write_row(values)


def unnest_select(cols: Sequence[Any], rows: Sequence[Sequence[Any]]) -> tuple[str, list[list[Any]]]:
    """``SELECT ... FROM unnest(...)`` of ``rows`` by column, and its parameters: one array per column.

    A statement with one array per column is parsed and bound in the same time for 10 or 10,000 rows,
    where a multi-row ``VALUES`` binds (and the server parses) every value apart. PostgreSQL only.
    """
    arrays: list[list[Any]] = [[] for _c in cols]
    for row in rows:
        for array, value in zip(arrays, row, strict=True):
            array.append(value)
    casts: list[str] = []
    for i, col in enumerate(cols):
        if col.get_internal_type() == "JSONField":  # sent as text, read as jsonb
            encoder = getattr(col, "encoder", None)
            arrays[i] = [None if v is None else json.dumps(v, cls=encoder) for v in arrays[i]]
            casts.append(f"u.c{i}::jsonb")
        else:
            casts.append(f"u.c{i}")
    types = ", ".join(f"%s::{c.db_type(connection)}[]" for c in cols)
    names = ", ".join(f"c{i}" for i in range(len(cols)))
    return f"SELECT {', '.join(casts)} FROM unnest({types}) AS u({names})", arrays  # noqa: S608 - our identifiers


def insert_rows_skip_existing(model: Any, fields: Sequence[str], rows: Sequence[Sequence[Any]],
                              conflict: Sequence[str]) -> None:
    """:func:`insert_rows` of rows that may exist already: a row whose ``conflict`` fields (a unique
    constraint) match an existing row is left out (``ON CONFLICT DO NOTHING``), no error.

    PostgreSQL: one ``INSERT ... SELECT FROM unnest(...)`` (values as given: ids, numbers, text, dates, aware
    datetimes, JSON as Python values); elsewhere ``bulk_create(ignore_conflicts=True)``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows],
                                  ignore_conflicts=True, batch_size=1000)
        return
    cols = [model._meta.get_field(f) for f in fields]
    q = connection.ops.quote_name
    target = ", ".join(q(model._meta.get_field(f).column) for f in conflict)
    select, arrays = unnest_select(cols, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c.column) for c in cols)}) "
            f"{select} ON CONFLICT ({target}) DO NOTHING",
            arrays,
        )


def create_rows(model: Any, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Insert ``rows`` (tuples of ``fields``) and return the saved instances, with their ids, in order.

    PostgreSQL: one ``INSERT ... SELECT FROM unnest(...) RETURNING id`` (see :func:`unnest_select`), which skips
    the per-field preparation ``bulk_create`` does; elsewhere ``bulk_create``. Fields left out take their
    Python default.
    """
    objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    if not objs or connection.vendor != "postgresql":
        return list(model.objects.bulk_create(objs))
    meta = model._meta
    q = connection.ops.quote_name
    # Every concrete column but the id: the given value, else what the instance got as its default.
    cols = [f for f in meta.concrete_fields if not f.primary_key]
    for f in cols:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            now = f.pre_save(objs[0], add=True)
            for obj in objs[1:]:
                setattr(obj, f.attname, now)
    select, arrays = unnest_select(cols, [[getattr(obj, f.attname) for f in cols] for obj in objs])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in cols)}) {select} "
            f"RETURNING id",
            arrays,
        )
        # The rows are inserted in the arrays' order and take ascending ids (as bulk_create relies on).
        for obj, (pk,) in zip(objs, sorted(cursor.fetchall()), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs
