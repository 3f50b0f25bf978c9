"""The regulator's access log (issue 16): one row per page or export read; append-only in the database.

As for the audit table (0002, 0003): SQLite refuses UPDATE always and DELETE except while Django's
flush runs (``peerlend_ledger_purge_allowed()``); PostgreSQL refuses both (flush uses TRUNCATE).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "compliance_regulatoraccess"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS regaccess_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'regulator access log is append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS regaccess_no_delete BEFORE DELETE ON {TABLE}
        WHEN peerlend_ledger_purge_allowed() = 0
        BEGIN SELECT RAISE(ABORT, 'regulator access log is append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS regaccess_no_update;", "DROP TRIGGER IF EXISTS regaccess_no_delete;"]

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION peerlend_regaccess_append_only() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION USING MESSAGE = 'regulator access log is append-only: ' || TG_OP || ' refused',
                               ERRCODE = 'insufficient_privilege';
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER regaccess_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION peerlend_regaccess_append_only();""",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS regaccess_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS peerlend_regaccess_append_only();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def reverse(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0003_audit_delete_allows_flush"),
        ("ledger", "0002_guards_and_platform_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RegulatorAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, verbose_name="time")),
                ("actor_username", models.CharField(max_length=150, verbose_name="regulator username")),
                ("action", models.CharField(db_index=True, max_length=64, verbose_name="action")),
                ("path", models.CharField(max_length=300, verbose_name="page or export")),
                ("filters", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                ("target_type", models.CharField(blank=True, default="", max_length=100, verbose_name="target type")),
                ("target_id", models.CharField(blank=True, default="", max_length=64, verbose_name="target id")),
                ("reason", models.CharField(blank=True, default="", max_length=500, verbose_name="justification")),
                ("status_code", models.PositiveSmallIntegerField(default=200, verbose_name="answer")),
                ("actor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to=settings.AUTH_USER_MODEL, verbose_name="regulator")),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["actor", "at"], name="regaccess_actor_at")],
                "constraints": [models.CheckConstraint(
                    condition=models.Q(("status_code__gte", 100), ("status_code__lte", 599)),
                    name="regaccess_status_http")],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
