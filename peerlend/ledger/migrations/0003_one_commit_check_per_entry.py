"""PostgreSQL: check each entry once at commit, not once per posting.

The per-posting deferred trigger re-summed the whole entry for every one of its postings,
so a batch entry with many postings cost postings x entry-size at commit. It added no
protection: a posting can only be inserted into an unposted entry (ledger_guard_posting),
and every entry is checked at commit by ledger_entry_posted_at_commit (posted and summing to
zero), so an entry whose postings change in the transaction is still checked once.
"""

from django.db import migrations

DROP = "DROP TRIGGER IF EXISTS ledger_posting_balanced_at_commit ON ledger_posting"
CREATE = """CREATE CONSTRAINT TRIGGER ledger_posting_balanced_at_commit AFTER INSERT ON ledger_posting
   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_at_commit()"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_guards_and_platform_accounts")]
    operations = [migrations.RunPython(forward, reverse)]
