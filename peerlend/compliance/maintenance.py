"""Break-glass helpers around the append-only triggers (tests and DBA work only).

``audit_triggers_disabled`` drops the audit table's triggers for the duration of a block and recreates
them, e.g. to prove that ``verify_audit_chain`` detects a row edited behind the application's back,
or to purge a test database flushed with DELETE (SQLite). ``regulator_access_triggers_disabled`` does
the same for the regulator's access log.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from django.db import connection

_migration = importlib.import_module("peerlend.compliance.migrations.0002_audit_append_only")
_access_migration = importlib.import_module("peerlend.compliance.migrations.0004_regulator_access")


@contextmanager
def _triggers_disabled(migration: ModuleType) -> Iterator[None]:
    vendor = connection.vendor
    forward = {"sqlite": migration.SQLITE_FORWARD, "postgresql": migration.PG_FORWARD}.get(vendor, [])
    reverse = {"sqlite": migration.SQLITE_REVERSE, "postgresql": migration.PG_REVERSE}.get(vendor, [])
    with connection.cursor() as cursor:
        for sql in reverse:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in forward:
                cursor.execute(sql)


@contextmanager
def audit_triggers_disabled() -> Iterator[None]:
    with _triggers_disabled(_migration):
        yield


@contextmanager
def regulator_access_triggers_disabled() -> Iterator[None]:
    with _triggers_disabled(_access_migration):
        yield
