"""Money limits and amount guards.

* Deposit orders and withdrawals record the business date they were made on (the daily limits sum by it).
* Every balance and amount column of the ledger holds an integer within range, on SQLite and PostgreSQL
  (see ``peerlend.ledger.rangeguard``): balances and postings within +-10**15 minor units, single
  payments within +-10**13 (``MAX_BALANCE_MINOR`` / ``MAX_AMOUNT_MINOR`` of ``peerlend.domain.money``).
"""

from django.db import migrations, models

from peerlend.ledger import rangeguard

BALANCE = 10**15  # peerlend.domain.money.MAX_BALANCE_MINOR when this migration was written
AMOUNT = 10**13  # peerlend.domain.money.MAX_AMOUNT_MINOR

GUARDS = [
    ("ledger_ledgeraccount", "ledger_account_balance_in_range", [("balance_minor", BALANCE)]),
    ("ledger_posting", "ledger_posting_amount_in_range", [("amount_minor", BALANCE)]),
    ("ledger_depositorder", "ledger_deposit_amount_in_range", [("amount_minor", AMOUNT)]),
    ("ledger_withdrawal", "ledger_withdrawal_amount_in_range", [("amount_minor", AMOUNT)]),
    ("ledger_statementline", "ledger_statementline_amount_in_range", [("amount_minor", AMOUNT)]),
    ("ledger_reconciliationitem", "ledger_reconitem_amount_in_range", [("amount_minor", AMOUNT)]),
]


def install(apps, schema_editor):
    for table, name, columns in GUARDS:
        rangeguard.install(schema_editor, table, name, columns)


def uninstall(apps, schema_editor):
    for table, name, _columns in GUARDS:
        rangeguard.uninstall(schema_editor, table, name)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_outbox_message")]

    operations = [
        migrations.AddField(
            model_name="depositorder",
            name="business_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="withdrawal",
            name="business_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="depositorder",
            index=models.Index(fields=["user", "business_date"], name="ledger_deposit_user_day"),
        ),
        migrations.AddIndex(
            model_name="withdrawal",
            index=models.Index(fields=["user", "business_date"], name="ledger_withdrawal_user_day"),
        ),
        migrations.RunPython(install, uninstall),
    ]
