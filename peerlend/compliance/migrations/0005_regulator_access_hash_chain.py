"""Hash-chain the regulator's access log like the audit log: ``prev_hash`` and ``hash``, unique.

Existing rows are chained in id order by a frozen copy of the hashing of
``RegulatorAccess.compute_hash`` (as of this migration; tests/compliance/regulator/test_access_chain.py
checks that the two agree). The table is append-only (0004): the UPDATE guard is dropped for the
backfill and recreated. On SQLite, making the columns unique rebuilds the table, which drops its
triggers, so both guards are recreated at the end (and again when the migration is reversed).
"""

import datetime as dt
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

TABLE = "compliance_regulatoraccess"
GENESIS_HASH = "0" * 64

# The guards of 0004, frozen here: UPDATE (both vendors) and, on SQLite, DELETE outside a flush.
SQLITE_GUARDS = [
    f"""CREATE TRIGGER IF NOT EXISTS regaccess_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'regulator access log is append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS regaccess_no_delete BEFORE DELETE ON {TABLE}
        WHEN peerlend_ledger_purge_allowed() = 0
        BEGIN SELECT RAISE(ABORT, 'regulator access log is append-only: DELETE refused'); END;""",
]
ALLOW_UPDATE = {
    "sqlite": ["DROP TRIGGER IF EXISTS regaccess_no_update;"],
    "postgresql": [f"DROP TRIGGER IF EXISTS regaccess_append_only ON {TABLE};"],
}
REFUSE_UPDATE = {
    "sqlite": SQLITE_GUARDS[:1],
    # The trigger function peerlend_regaccess_append_only() of 0004 stays in place.
    "postgresql": [f"""CREATE TRIGGER regaccess_append_only BEFORE UPDATE OR DELETE ON {TABLE}
                       FOR EACH ROW EXECUTE FUNCTION peerlend_regaccess_append_only();"""],
}


def row_hash(row, prev_hash):
    """SHA-256 over the canonical JSON of the row's stored fields and ``prev_hash`` (frozen copy)."""
    content = {
        "at": row.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_username": row.actor_username,
        "action": row.action,
        "path": row.path,
        "filters": row.filters,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "reason": row.reason,
        "status_code": row.status_code,
        "prev_hash": prev_hash,
    }
    text = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def backfill_chain(apps, schema_editor):
    """Chain the existing rows in id order (a no-op on an empty table)."""
    RegulatorAccess = apps.get_model("compliance", "RegulatorAccess")
    rows = RegulatorAccess.objects.using(schema_editor.connection.alias).order_by("id")
    if not rows.exists():
        return
    vendor = schema_editor.connection.vendor
    for sql in ALLOW_UPDATE.get(vendor, []):
        schema_editor.execute(sql)
    prev_hash = GENESIS_HASH
    for row in rows.iterator(chunk_size=2000):
        row_hash_ = row_hash(row, prev_hash)
        rows.filter(pk=row.pk).update(prev_hash=prev_hash, hash=row_hash_)
        prev_hash = row_hash_
    for sql in REFUSE_UPDATE.get(vendor, []):
        schema_editor.execute(sql)


def restore_sqlite_guards(apps, schema_editor):
    """Recreate the SQLite guards a table rebuild dropped (idempotent; PostgreSQL keeps its trigger)."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_GUARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0004_regulator_access"),
    ]

    operations = [
        # Reversed last: the guards come back after the reverse rebuild of the AlterFields below.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_guards),
        migrations.AddField(model_name="regulatoraccess", name="prev_hash",
                            field=models.CharField(max_length=64, null=True)),
        migrations.AddField(model_name="regulatoraccess", name="hash",
                            field=models.CharField(max_length=64, null=True)),
        migrations.RunPython(backfill_chain, migrations.RunPython.noop),
        migrations.AlterField(model_name="regulatoraccess", name="prev_hash",
                              field=models.CharField(max_length=64, unique=True)),
        migrations.AlterField(model_name="regulatoraccess", name="hash",
                              field=models.CharField(max_length=64, unique=True)),
        migrations.RunPython(restore_sqlite_guards, migrations.RunPython.noop),
    ]
