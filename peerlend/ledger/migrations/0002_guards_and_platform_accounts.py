"""Database guards for the books (both SQLite and PostgreSQL) and the platform accounts.

* postings are append-only (no UPDATE, no DELETE) and cannot be added to a posted entry;
* an entry is inserted unposted and may be marked posted only while its postings (two or more)
  sum to zero per currency; a posted entry can be neither updated nor deleted;
* PostgreSQL also re-checks at COMMIT (deferred constraint triggers) that every posting belongs
  to a balanced posted entry and that no entry is left unposted.

SQLite's DELETE guards yield only to Django's ``flush`` (a whole-database wipe used by tests and
development resets), through the ``peerlend_ledger_purge_allowed()`` function registered on each
connection (see ``peerlend.ledger.dbguard``); without it the DELETE fails.
"""

from django.conf import settings
from django.db import migrations

PLATFORM_CODES = ("custody_bank", "gateway_clearing", "fee_income", "risk_reserve", "marketing_expense", "suspense")

_UNBALANCED_SQLITE = """(
  (SELECT COUNT(*) FROM ledger_posting WHERE entry_id = NEW.id) < 2
  OR EXISTS (SELECT 1 FROM ledger_posting p JOIN ledger_ledgeraccount a ON a.id = p.account_id
             WHERE p.entry_id = NEW.id GROUP BY a.currency HAVING SUM(p.amount_minor) <> 0))"""

SQLITE_UP = [
    """CREATE TRIGGER ledger_posting_no_update BEFORE UPDATE ON ledger_posting
       BEGIN SELECT RAISE(ABORT, 'ledger: postings are append-only'); END""",
    """CREATE TRIGGER ledger_posting_no_delete BEFORE DELETE ON ledger_posting
       WHEN peerlend_ledger_purge_allowed() = 0
       BEGIN SELECT RAISE(ABORT, 'ledger: postings are append-only'); END""",
    """CREATE TRIGGER ledger_posting_not_into_posted BEFORE INSERT ON ledger_posting
       WHEN (SELECT posted FROM ledger_journalentry WHERE id = NEW.entry_id) = 1
       BEGIN SELECT RAISE(ABORT, 'ledger: cannot add postings to a posted entry'); END""",
    """CREATE TRIGGER ledger_entry_insert_unposted BEFORE INSERT ON ledger_journalentry
       WHEN NEW.posted = 1
       BEGIN SELECT RAISE(ABORT, 'ledger: an entry is written unposted, then posted'); END""",
    """CREATE TRIGGER ledger_entry_posted_immutable BEFORE UPDATE ON ledger_journalentry
       WHEN OLD.posted = 1
       BEGIN SELECT RAISE(ABORT, 'ledger: posted entries are append-only'); END""",
    f"""CREATE TRIGGER ledger_entry_post_balanced BEFORE UPDATE ON ledger_journalentry
       WHEN OLD.posted = 0 AND NEW.posted = 1 AND {_UNBALANCED_SQLITE}
       BEGIN SELECT RAISE(ABORT, 'ledger: entry does not sum to zero'); END""",
    """CREATE TRIGGER ledger_entry_no_delete_posted BEFORE DELETE ON ledger_journalentry
       WHEN OLD.posted = 1 AND peerlend_ledger_purge_allowed() = 0
       BEGIN SELECT RAISE(ABORT, 'ledger: posted entries are append-only'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_posting_no_update", "ledger_posting_no_delete", "ledger_posting_not_into_posted",
        "ledger_entry_insert_unposted", "ledger_entry_posted_immutable", "ledger_entry_post_balanced",
        "ledger_entry_no_delete_posted",
    )
]

PG_UP = [
    """CREATE OR REPLACE FUNCTION ledger_entry_unbalanced(eid bigint) RETURNS boolean
       LANGUAGE sql STABLE AS $$
         SELECT (SELECT count(*) FROM ledger_posting WHERE entry_id = eid) < 2
             OR EXISTS (SELECT 1 FROM ledger_posting p JOIN ledger_ledgeraccount a ON a.id = p.account_id
                        WHERE p.entry_id = eid GROUP BY a.currency HAVING sum(p.amount_minor) <> 0)
       $$""",
    """CREATE OR REPLACE FUNCTION ledger_guard_entry() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           IF NEW.posted THEN
             RAISE EXCEPTION 'ledger: an entry is written unposted, then posted' USING ERRCODE = 'check_violation';
           END IF;
           RETURN NEW;
         ELSIF TG_OP = 'UPDATE' THEN
           IF OLD.posted THEN
             RAISE EXCEPTION 'ledger: posted entries are append-only (entry %)', OLD.id
               USING ERRCODE = 'check_violation';
           END IF;
           IF NEW.posted AND ledger_entry_unbalanced(NEW.id) THEN
             RAISE EXCEPTION 'ledger: entry % does not sum to zero', NEW.id USING ERRCODE = 'check_violation';
           END IF;
           RETURN NEW;
         ELSE
           IF OLD.posted THEN
             RAISE EXCEPTION 'ledger: posted entries are append-only (entry %)', OLD.id
               USING ERRCODE = 'check_violation';
           END IF;
           RETURN OLD;
         END IF;
       END $$""",
    """CREATE TRIGGER ledger_guard_entry BEFORE INSERT OR UPDATE OR DELETE ON ledger_journalentry
       FOR EACH ROW EXECUTE FUNCTION ledger_guard_entry()""",
    """CREATE OR REPLACE FUNCTION ledger_guard_posting() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           IF (SELECT posted FROM ledger_journalentry WHERE id = NEW.entry_id) THEN
             RAISE EXCEPTION 'ledger: cannot add postings to posted entry %', NEW.entry_id
               USING ERRCODE = 'check_violation';
           END IF;
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'ledger: postings are append-only' USING ERRCODE = 'check_violation';
       END $$""",
    """CREATE TRIGGER ledger_guard_posting BEFORE INSERT OR UPDATE OR DELETE ON ledger_posting
       FOR EACH ROW EXECUTE FUNCTION ledger_guard_posting()""",
    # At COMMIT: every entry touched by the transaction is posted and balanced.
    """CREATE OR REPLACE FUNCTION ledger_check_entry_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE eid bigint; is_posted boolean;
       BEGIN
         IF TG_TABLE_NAME = 'ledger_posting' THEN eid := NEW.entry_id; ELSE eid := NEW.id; END IF;
         SELECT posted INTO is_posted FROM ledger_journalentry WHERE id = eid;
         IF is_posted IS NOT TRUE THEN
           RAISE EXCEPTION 'ledger: entry % left unposted at commit', eid USING ERRCODE = 'check_violation';
         END IF;
         IF ledger_entry_unbalanced(eid) THEN
           RAISE EXCEPTION 'ledger: posted entry % does not sum to zero at commit', eid
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE CONSTRAINT TRIGGER ledger_posting_balanced_at_commit AFTER INSERT ON ledger_posting
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_at_commit()""",
    """CREATE CONSTRAINT TRIGGER ledger_entry_posted_at_commit AFTER INSERT ON ledger_journalentry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_at_commit()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_entry_posted_at_commit ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_posting_balanced_at_commit ON ledger_posting",
    "DROP TRIGGER IF EXISTS ledger_guard_posting ON ledger_posting",
    "DROP TRIGGER IF EXISTS ledger_guard_entry ON ledger_journalentry",
    "DROP FUNCTION IF EXISTS ledger_check_entry_at_commit()",
    "DROP FUNCTION IF EXISTS ledger_guard_posting()",
    "DROP FUNCTION IF EXISTS ledger_guard_entry()",
    "DROP FUNCTION IF EXISTS ledger_entry_unbalanced(bigint)",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    elif vendor == "postgresql":
        _run(schema_editor, PG_UP)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"ledger guards are not written for {vendor}")


def remove_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_DOWN if vendor == "sqlite" else PG_DOWN)


def create_platform_accounts(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    currency = settings.PEERLEND.get("CURRENCY", "CNY")
    for code in PLATFORM_CODES:
        LedgerAccount.objects.get_or_create(code=f"platform:{code}", defaults={"kind": "platform", "currency": currency})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(install_guards, remove_guards),
        migrations.RunPython(create_platform_accounts, migrations.RunPython.noop),
    ]
