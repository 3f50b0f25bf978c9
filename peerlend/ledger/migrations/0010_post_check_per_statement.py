"""PostgreSQL: check the entries a statement posts in one set-based query, not one function call per entry.

Marking a batch of entries posted (``UPDATE ... SET posted = true WHERE id IN (...)``) ran the
balance check once per row, in plpgsql, and the commit-time trigger ran the same check again for
every entry: about 0.3 ms per entry twice, most of the cost of a batch of investments. Now:

* the row trigger keeps only the cheap per-row rules (inserted unposted; a posted entry is
  append-only);
* an AFTER UPDATE statement trigger sees every row the statement changed (a transition table) and
  refuses the whole statement if any entry it posted has fewer than two postings or does not sum to
  zero per currency;
* the deferred commit trigger checks only that every entry written in the transaction is posted.
  Balance needs no second look at commit: it was checked when the entry was posted, postings can
  only be added to an unposted entry (``ledger_guard_posting``) and are never updated or deleted.

SQLite keeps its row triggers (it has no transition tables; its batches are small).
"""

from django.db import migrations

PG_UP = [
    """CREATE OR REPLACE FUNCTION ledger_guard_entry() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           IF NEW.posted THEN
             RAISE EXCEPTION 'ledger: an entry is written unposted, then posted' USING ERRCODE = 'check_violation';
           END IF;
           RETURN NEW;
         END IF;
         IF OLD.posted THEN
           RAISE EXCEPTION 'ledger: posted entries are append-only (entry %)', OLD.id
             USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'UPDATE' THEN
           RETURN NEW;
         END IF;
         RETURN OLD;
       END $$""",
    """CREATE OR REPLACE FUNCTION ledger_check_posted_entries() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE bad bigint;
       BEGIN
         SELECT e.id INTO bad FROM ledger_newly_posted e
          WHERE e.posted AND (SELECT count(*) FROM ledger_posting p WHERE p.entry_id = e.id) < 2
          LIMIT 1;
         IF bad IS NULL THEN
           SELECT p.entry_id INTO bad
             FROM ledger_posting p
             JOIN ledger_newly_posted e ON e.id = p.entry_id AND e.posted
             JOIN ledger_ledgeraccount a ON a.id = p.account_id
            GROUP BY p.entry_id, a.currency
           HAVING sum(p.amount_minor) <> 0
            LIMIT 1;
         END IF;
         IF bad IS NOT NULL THEN
           RAISE EXCEPTION 'ledger: entry % does not sum to zero', bad USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER ledger_entry_post_balanced AFTER UPDATE ON ledger_journalentry
       REFERENCING NEW TABLE AS ledger_newly_posted
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_posted_entries()""",
    """CREATE OR REPLACE FUNCTION ledger_check_entry_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE is_posted boolean;
       BEGIN
         SELECT posted INTO is_posted FROM ledger_journalentry WHERE id = NEW.id;
         IF is_posted IS NOT TRUE THEN
           RAISE EXCEPTION 'ledger: entry % left unposted at commit', NEW.id USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$""",
]

# Back to 0002's functions (the per-row balance check, and the full check at commit).
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_entry_post_balanced ON ledger_journalentry",
    "DROP FUNCTION IF EXISTS ledger_check_posted_entries()",
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
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:  # no parameters: the bodies' "%" stay as written
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, PG_UP)


def reverse(apps, schema_editor):
    _run(schema_editor, PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_commission_payable")]
    operations = [migrations.RunPython(forward, reverse)]
