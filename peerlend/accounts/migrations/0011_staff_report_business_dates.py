"""Business dates of registrations and identity verifications (staff reports count by them).

Rows made before this migration get the calendar date of ``date_joined`` / ``verified_at`` in the
platform's time zone: the best record there is of when they happened. The counter receipt's payment
gets a reverse name (``counter_receipt``) so reports can join a servicing payment to its receipt;
that changes no column.
"""

import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate


def backfill(apps, schema_editor):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    apps.get_model("accounts", "User").objects.filter(registered_on__isnull=True).update(
        registered_on=TruncDate("date_joined", tzinfo=tz))
    apps.get_model("accounts", "Identity").objects.filter(verified_on__isnull=True).update(
        verified_on=TruncDate("verified_at", tzinfo=tz))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_service_point_network'),
        ('servicing', '0005_notice_params'),
    ]

    operations = [
        migrations.AddField(
            model_name='identity',
            name='verified_on',
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name='verified on'),
        ),
        migrations.AddField(
            model_name='user',
            name='registered_on',
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name='registered on'),
        ),
        migrations.AlterField(
            model_name='counterreceipt',
            name='payment',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='counter_receipt', to='servicing.servicingpayment'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
