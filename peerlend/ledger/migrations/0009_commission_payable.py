"""The platform accounts of agents' commissions (issue 15 part 7), added the way 0002 adds the others.

``commission_expense`` (debit-normal) is the cost; ``commission_payable`` (a liability, credit-normal)
is what the platform owes its agents until the gateway pays them. The expense is kept apart from
``marketing_expense`` so that marketing expense stays the sum of coupon and campaign costs.
"""

from django.conf import settings
from django.db import migrations

CODES = ("commission_expense", "commission_payable")


def create_accounts(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    currency = settings.PEERLEND.get("CURRENCY", "CNY")
    for code in CODES:
        LedgerAccount.objects.get_or_create(code=f"platform:{code}",
                                            defaults={"kind": "platform", "currency": currency})


class Migration(migrations.Migration):
    initial = False

    dependencies = [
        ('ledger', '0008_service_point_clearing'),
    ]

    operations = [
        migrations.RunPython(create_accounts, migrations.RunPython.noop),
    ]
