"""Every money column of servicing holds an integer within range on SQLite and PostgreSQL
(``peerlend.ledger.rangeguard``): a promise to pay within +-10**13 minor units, everything else within
+-10**15.
"""

from django.db import migrations

from peerlend.ledger import rangeguard

BALANCE = 10**15  # peerlend.domain.money.MAX_BALANCE_MINOR when this migration was written
AMOUNT = 10**13  # peerlend.domain.money.MAX_AMOUNT_MINOR

GUARDS = [
    ("servicing_installment", "servicing_installment_amounts_in_range", [
        (column, BALANCE) for column in (
            "principal_minor", "interest_minor", "principal_paid_minor", "interest_paid_minor", "late_fee_minor",
            "late_fee_paid_minor", "penalty_minor", "penalty_paid_minor", "compensated_principal_minor",
            "compensated_interest_minor", "reserve_repaid_minor",
        )
    ]),
    ("servicing_servicingpayment", "servicing_payment_amounts_in_range", [
        (column, BALANCE) for column in (
            "amount_minor", "principal_to_notes_minor", "interest_to_notes_minor", "service_fee_minor",
            "late_fee_minor", "to_reserve_minor",
        )
    ]),
    ("servicing_compensationpending", "servicing_compensation_amount_in_range", [("amount_minor", BALANCE)]),
    ("servicing_promisetopay", "servicing_promise_amount_in_range", [("amount_minor", AMOUNT)]),
]


def install(apps, schema_editor):
    for table, name, columns in GUARDS:
        rangeguard.install(schema_editor, table, name, columns)


def uninstall(apps, schema_editor):
    for table, name, _columns in GUARDS:
        rangeguard.uninstall(schema_editor, table, name)


class Migration(migrations.Migration):
    dependencies = [("servicing", "0002_installment_compensated_interest_minor_and_more")]

    operations = [migrations.RunPython(install, uninstall)]
