import datetime

from django.conf import settings
from django.db import migrations, models


def backfill_expiry(apps, schema_editor):
    # Tokens issued before expiry existed get the configured lifetime from their creation.
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = datetime.timedelta(days=getattr(settings, "PEERLEND_API_TOKEN_DAYS", 30))
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + days)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_user_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(backfill_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
