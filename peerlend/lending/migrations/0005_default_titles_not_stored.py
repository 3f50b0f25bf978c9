"""Loans whose title was filled in for the borrower ("<purpose> · <n>m", in English) get an empty title: the
pages now show purpose and term in the reader's language when the borrower gave no title (``Loan.headline``)."""

from django.db import migrations

# The English purpose labels the default titles were written with (frozen here, as they were).
_LABELS = ("Debt consolidation", "Small business", "Education", "Home improvement", "Medical", "Car", "Wedding",
           "Agriculture", "Other")


def clear_default_titles(apps, schema_editor):  # type: ignore[no-untyped-def]
    loan = apps.get_model("lending", "Loan")
    generated = [f"{label} · {term}m" for label in _LABELS for term in range(1, 61)]
    loan.objects.filter(title__in=generated).update(title="")


class Migration(migrations.Migration):
    dependencies = [("lending", "0004_note_placed_on_and_amount_guards")]

    operations = [migrations.RunPython(clear_default_titles, migrations.RunPython.noop)]
