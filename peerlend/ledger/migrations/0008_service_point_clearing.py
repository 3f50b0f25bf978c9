"""The platform account for repayments taken in cash or by card at service points (issue 15 part 6).

Debit-normal like ``gateway_clearing``: it holds what a point has received and not yet deposited
into the custody bank (cash) or had settled by the card acquirer (card).
"""

from django.conf import settings
from django.db import migrations

CODE = "platform:service_point_clearing"


def create_account(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    currency = settings.PEERLEND.get("CURRENCY", "CNY")
    LedgerAccount.objects.get_or_create(code=CODE, defaults={"kind": "platform", "currency": currency})


class Migration(migrations.Migration):
    initial = False

    dependencies = [
        ('ledger', '0007_statements'),
    ]

    operations = [
        migrations.RunPython(create_account, migrations.RunPython.noop),
    ]
