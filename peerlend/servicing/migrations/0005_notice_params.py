"""Notices keep their event's values and are written at read time in the reader's language.

The text of rows written before is kept (renamed ``fallback_*``) and shown as it was. E-mail and SMS
rows still waiting to be sent are handed to the outbox, which now delivers them and retries.
"""

from django.db import migrations, models
from django.utils import timezone


def queue_pending_deliveries(apps, schema_editor):
    Notification = apps.get_model("servicing", "Notification")
    OutboxMessage = apps.get_model("ledger", "OutboxMessage")
    now = timezone.now()
    pending = (Notification.objects.filter(status="pending", channel__in=["email", "sms"])
               .order_by("pk").values_list("pk", flat=True).iterator())
    batch = []
    for pk in pending:
        batch.append(OutboxMessage(kind="notice", key=f"notice:{pk}", payload={"notification_id": pk},
                                   next_attempt_at=now))
        if len(batch) == 1000:
            OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    OutboxMessage.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_outbox_send_key_and_claim"),
        ("servicing", "0004_notification_per_member_and_preferences"),
    ]

    operations = [
        migrations.RenameField("notification", "subject", "fallback_subject"),
        migrations.RenameField("notification", "body", "fallback_body"),
        migrations.AlterField("notification", "fallback_subject",
                              models.CharField(blank=True, default="", max_length=200)),
        migrations.AlterField("notification", "fallback_body", models.TextField(blank=True, default="")),
        migrations.AddField("notification", "params", models.JSONField(blank=True, null=True)),
        migrations.RunPython(queue_pending_deliveries, migrations.RunPython.noop),
    ]
