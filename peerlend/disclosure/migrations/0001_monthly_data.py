# Monthly operating data (issue 16): published snapshots (UPDATE refused by the database) and related parties.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "disclosure_monthlysnapshot"
SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS monthly_snapshot_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'published snapshot is immutable: UPDATE refused'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS monthly_snapshot_no_update;"]
PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION peerlend_monthly_snapshot_immutable() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION USING MESSAGE = 'published snapshot is immutable: UPDATE refused',
                               ERRCODE = 'insufficient_privilege';
       END;
       $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER monthly_snapshot_immutable BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION peerlend_monthly_snapshot_immutable();""",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS monthly_snapshot_immutable ON {TABLE};",
    "DROP FUNCTION IF EXISTS peerlend_monthly_snapshot_immutable();",
]


def forward(apps, schema_editor):
    for sql in {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def reverse(apps, schema_editor):
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlySnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('version', models.PositiveSmallIntegerField(default=1, verbose_name='version')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('figures', models.JSONField(verbose_name='figures')),
                ('fee_schedule', models.JSONField(verbose_name='fee schedule in force')),
                ('sha256', models.CharField(max_length=64)),
                ('published_on', models.DateField(verbose_name='published on')),
                ('published_at', models.DateTimeField(auto_now_add=True)),
                ('reason', models.TextField(blank=True, verbose_name='reason for the correction')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('supersedes', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='disclosure.monthlysnapshot')),
            ],
            options={
                'ordering': ['-month', '-version'],
                'constraints': [models.UniqueConstraint(fields=('month', 'version'), name='monthly_snapshot_unique_version'), models.CheckConstraint(condition=models.Q(('version__gte', 1), ('version__lte', 99)), name='monthly_snapshot_version_range'), models.CheckConstraint(condition=models.Q(models.Q(('supersedes__isnull', True), ('version', 1)), models.Q(('supersedes__isnull', False), ('version__gt', 1), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='monthly_snapshot_correction_linked')],
            },
        ),
        migrations.CreateModel(
            name='RelatedParty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('since', models.DateField(verbose_name='since')),
                ('until', models.DateField(blank=True, null=True, verbose_name='until')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='related_party', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('until__isnull', True), ('until__gt', models.F('since')), _connector='OR'), name='related_party_period_valid')],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
