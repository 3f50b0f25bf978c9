"""On SQLite, let Django's flush (between transactional tests, development resets) empty the audit table.

SQLite cannot switch a trigger off for one session, so the DELETE guard asks the same
``peerlend_ledger_purge_allowed()`` function the ledger's guards use (see peerlend/ledger/dbguard.py):
yes only while Django's flush command runs. Any other DELETE is still refused, and so is every
UPDATE. PostgreSQL is unchanged (flush uses TRUNCATE there).
"""

from django.db import migrations

TABLE = "compliance_auditevent"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete;")
    schema_editor.execute(
        f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
            WHEN peerlend_ledger_purge_allowed() = 0
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;"""
    )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete;")
    schema_editor.execute(
        f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;"""
    )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_audit_append_only"), ("ledger", "0002_guards_and_platform_accounts")]
    operations = [migrations.RunPython(forward, reverse)]
