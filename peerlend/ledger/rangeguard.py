"""Database guards on money columns: every stored amount is an integer within a range.

Python checks amounts before they are written, but the database must refuse a bad value by
itself too (DESIGN.md: "the database refuses a balance that is not an integer within range").

* PostgreSQL: ``bigint`` columns hold integers only and refuse anything beyond 64 bits; a
  ``CHECK`` constraint per table adds the platform's range.
* SQLite: a column's type is only an affinity. An integer sum beyond 64 bits silently becomes a
  floating-point ``REAL`` (that is how a balance once ended up 353 fen off), and a float bound
  from Python stays a ``REAL``. ``BEFORE INSERT`` / ``BEFORE UPDATE OF`` triggers refuse any
  value whose ``typeof`` is not ``integer`` or that lies outside the range. Triggers rather than
  ``CHECK`` constraints, because adding a constraint would make SQLite rebuild the table, and
  rebuilding a table drops the append-only triggers already on it (ledger migration 0002).

Migrations call :func:`install` and :func:`uninstall`; what they generate must not change once a
migration uses it (write a new function for a new kind of guard).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _condition(prefix: str, columns: Sequence[tuple[str, int]]) -> str:
    """SQL that is true when a column of the row is not an integer within its range (NULL is allowed)."""
    parts = [
        f"({prefix}{col} IS NOT NULL AND (typeof({prefix}{col}) <> 'integer' "
        f"OR {prefix}{col} < {-bound} OR {prefix}{col} > {bound}))"
        for col, bound in columns
    ]
    return " OR ".join(parts)


def sqlite_statements(table: str, name: str, columns: Sequence[tuple[str, int]]) -> list[str]:
    message = f"{table}: an amount must be an integer within its range"
    cond = _condition("NEW.", columns)
    cols = ", ".join(col for col, _bound in columns)
    return [
        f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {name}_update BEFORE UPDATE OF {cols} ON {table} WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def postgres_statements(table: str, name: str, columns: Sequence[tuple[str, int]]) -> list[str]:
    check = " AND ".join(f"{col} BETWEEN {-bound} AND {bound}" for col, bound in columns)
    return [f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})"]


def install(schema_editor: Any, table: str, name: str, columns: Sequence[tuple[str, int]]) -> None:
    """Guard ``columns`` ((column, bound) pairs: -bound <= value <= bound) of ``table``."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = sqlite_statements(table, name, columns)
    elif vendor == "postgresql":
        statements = postgres_statements(table, name, columns)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"amount guards are not written for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(schema_editor: Any, table: str, name: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_update")
    else:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
