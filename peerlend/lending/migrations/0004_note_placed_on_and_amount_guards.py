"""Notes record the business date they were bought on (the daily investment limit sums by it), and every
money column of loans and notes holds an integer within range on SQLite and PostgreSQL
(``peerlend.ledger.rangeguard``): single amounts within +-10**13 minor units, running totals within +-10**15.
"""

from django.conf import settings
from django.db import migrations, models

from peerlend.ledger import rangeguard

BALANCE = 10**15  # peerlend.domain.money.MAX_BALANCE_MINOR when this migration was written
AMOUNT = 10**13  # peerlend.domain.money.MAX_AMOUNT_MINOR

GUARDS = [
    ("lending_loan", "lending_loan_amounts_in_range", [
        ("amount_minor", AMOUNT), ("funded_minor", AMOUNT), ("principal_outstanding_minor", AMOUNT),
        ("annual_income_minor", BALANCE), ("monthly_debt_payments_minor", BALANCE), ("delinq_amnt_minor", BALANCE),
        ("total_bal_il_minor", BALANCE), ("total_il_high_credit_limit_minor", BALANCE),
    ]),
    ("lending_note", "lending_note_amounts_in_range", [
        ("amount_minor", AMOUNT), ("principal_outstanding_minor", BALANCE), ("principal_received_minor", BALANCE),
        ("interest_received_minor", BALANCE), ("fees_paid_minor", BALANCE), ("charged_off_minor", BALANCE),
    ]),
]


def install(apps, schema_editor):
    for table, name, columns in GUARDS:
        rangeguard.install(schema_editor, table, name, columns)


def uninstall(apps, schema_editor):
    for table, name, _columns in GUARDS:
        rangeguard.uninstall(schema_editor, table, name)


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0003_status_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="placed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(fields=["investor", "placed_on"], name="lending_note_investor_day"),
        ),
        migrations.RunPython(install, uninstall),
    ]
