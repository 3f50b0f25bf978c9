"""Break-glass helpers around the audit table's append-only triggers (tests and DBA work only).

``audit_triggers_disabled`` drops the triggers for the duration of a block and recreates them,
e.g. to prove that ``verify_audit_chain`` detects a row edited behind the application's back,
or to purge a test database flushed with DELETE (SQLite).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_migration = importlib.import_module("peerlend.compliance.migrations.0002_audit_append_only")


@contextmanager
def audit_triggers_disabled() -> Iterator[None]:
    vendor = connection.vendor
    forward = {"sqlite": _migration.SQLITE_FORWARD, "postgresql": _migration.PG_FORWARD}.get(vendor, [])
    reverse = {"sqlite": _migration.SQLITE_REVERSE, "postgresql": _migration.PG_REVERSE}.get(vendor, [])
    with connection.cursor() as cursor:
        for sql in reverse:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in forward:
                cursor.execute(sql)
