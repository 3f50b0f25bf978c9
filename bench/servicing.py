"""Servicing throughput on PostgreSQL: note payments distributed per second by ``peerlend run-day``.

Builds N loans x K notes (bulk-created straight into the tables, outside the services, for speed:
one installment per loan, falling due on the bench date), runs the batch for that one date and
prints note payments distributed per second at each size (default 10k, 100k and 1M notes), next
to PostgreSQL's own bulk-insert rate (COPY, and executemany INSERT) of the same number of rows in
the same run: the floor of what writing one row per note payment costs.

Usage: .venv/bin/python bench/servicing.py [--max-notes 1000000] [--notes-per-loan 100] [--chunk 500]
       [--pg postgres://postgres@127.0.0.1:5432]
It creates (and drops) a throwaway database ``bench_servicing``.

Note: a chunk's ledger entries are posted together (``ledger.post_entries``), so each account's
balance row is updated once per chunk. Updating the shared investor accounts once per loan entry
left a dead row version per entry that every later statement of the chunk walked past (quadratic
in the chunk size: 100k notes took 177 s, now ~11 s). What remains is mostly writing the notes
(one set-based UPDATE per chunk) and inserting the postings; the posted-entry balance trigger
costs about 0.2 s per 1,000 entries.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "bench_servicing"


def psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True)


def setup_django(server: str) -> None:
    os.environ["DATABASE_URL"] = f"{server}/{DB}"
    os.environ.setdefault("PEERLEND_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_loans: int, per_loan: int, disbursed: date, investors: list[int]) -> None:
    """N current loans of K notes each, one installment due a month after ``disbursed``; borrowers funded."""
    from django.db import transaction
    from django.db.models import F

    from peerlend.accounts.models import User
    from peerlend.domain.schedule import build_schedule
    from peerlend.ledger.models import JournalEntry, LedgerAccount, Posting
    from peerlend.lending.models import Loan, Note
    from peerlend.servicing.models import Installment

    note_minor = 100_00
    amount = note_minor * per_loan
    rate = Decimal("0.12")
    inst = build_schedule(amount, rate, 1, "equal_installment", disbursed)[0]
    tag = disbursed.strftime("%Y%m%d")
    with transaction.atomic():
        borrowers = User.objects.bulk_create(
            [User(username=f"b{tag}_{i}", password="!", roles=["borrower"]) for i in range(n_loans)],
            batch_size=5000)
        accounts = LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=f"user:{b.pk}:available", owner=b, kind="available", balance_minor=inst.payment)
             for b in borrowers], batch_size=5000)
        custody, _ = LedgerAccount.objects.get_or_create(code="platform:custody_bank", defaults={"kind": "platform"})
        # Small funding entries: the ledger's commit-time check re-sums an entry once per posting.
        group = 100
        entries = JournalEntry.objects.bulk_create(
            [JournalEntry(kind="bench_funding", posted=False) for _ in range(0, len(accounts), group)])
        postings = []
        for entry, start in zip(entries, range(0, len(accounts), group), strict=True):
            part = accounts[start:start + group]
            postings += [Posting(entry=entry, account=a, amount_minor=inst.payment) for a in part]
            postings.append(Posting(entry=entry, account=custody, amount_minor=-inst.payment * len(part)))
        Posting.objects.bulk_create(postings, batch_size=5000)
        LedgerAccount.objects.filter(pk=custody.pk).update(balance_minor=F("balance_minor") - inst.payment * n_loans)
        JournalEntry.objects.filter(pk__in=[e.pk for e in entries]).update(posted=True)
        loans = Loan.objects.bulk_create([
            Loan(borrower=b, amount_minor=amount, term_months=1, repayment_method="equal_installment",
                 purpose="other", title="bench", annual_income_minor=1, annual_rate=rate,
                 origination_fee_rate=Decimal(0), status="current", funded_minor=amount,
                 principal_outstanding_minor=amount, disbursed_on=disbursed)
            for b in borrowers], batch_size=5000)
        Installment.objects.bulk_create([
            Installment(loan=loan, number=1, due_date=inst.due_date, principal_minor=inst.principal,
                        interest_minor=inst.interest) for loan in loans], batch_size=5000)
        Note.objects.bulk_create([
            Note(loan=loan, investor_id=investors[k], amount_minor=note_minor, status="active",
                 principal_outstanding_minor=note_minor)
            for loan in loans for k in range(per_loan)], batch_size=10000)


def make_investors(per_loan: int) -> list[int]:
    from peerlend.accounts.models import User
    from peerlend.ledger.models import LedgerAccount

    users = User.objects.bulk_create([User(username=f"inv{k}", password="!", roles=["investor"])
                                      for k in range(per_loan)])
    LedgerAccount.objects.bulk_create([LedgerAccount(code=f"user:{u.pk}:available", owner=u, kind="available")
                                       for u in users])
    return [u.pk for u in users]


def copy_rate(rows: int) -> tuple[float, float]:
    """Rows/s PostgreSQL takes by COPY and by executemany INSERT of note-payment-sized rows (5 bigints)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (note_id bigint, loan_id bigint, "
                    "principal bigint, interest bigint, fee bigint)")
        raw = cur.cursor  # psycopg 3 cursor
        start = time.perf_counter()
        with raw.copy("COPY bench_rows FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((i, i // 100, 9900, 100, 1))
        copy_s = time.perf_counter() - start
        cur.execute("TRUNCATE bench_rows")
        start = time.perf_counter()
        raw.executemany("INSERT INTO bench_rows VALUES (%s, %s, %s, %s, %s)",
                        [(i, i // 100, 9900, 100, 1) for i in range(rows)])
        insert_s = time.perf_counter() - start
        cur.execute("DROP TABLE bench_rows")
    return rows / copy_s, rows / insert_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-notes", type=int, default=1_000_000)
    parser.add_argument("--notes-per-loan", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=500, help="loans per batch transaction")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after building (fresh table statistics)")
    args = parser.parse_args()
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= args.max_notes] or [args.max_notes]
    psql(args.pg, f"DROP DATABASE IF EXISTS {DB}")
    psql(args.pg, f"CREATE DATABASE {DB}")
    try:
        setup_django(args.pg)

        from peerlend.ledger.audit import run_audit
        from peerlend.lending.models import Note
        from peerlend.servicing.batch import run_day

        investors = make_investors(args.notes_per_loan)
        print(f"{'notes':>9} {'loans':>7} {'build s':>8} {'run-day s':>9} {'note pay/s':>11} "
              f"{'PG COPY rows/s':>15} {'PG INSERT rows/s':>17}")
        day = date(2030, 1, 1)
        for notes in sizes:
            loans = max(1, notes // args.notes_per_loan)
            t0 = time.perf_counter()
            build(loans, args.notes_per_loan, day, investors)
            built = time.perf_counter() - t0
            if args.analyze:
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            due = day + timedelta(days=31)
            t0 = time.perf_counter()
            run_day(due, chunk_size=args.chunk)
            took = time.perf_counter() - t0
            paid = Note.objects.filter(loan__disbursed_on=day, status="paid").count()
            assert paid == loans * args.notes_per_loan, f"only {paid} notes paid"
            copy_s, insert_s = copy_rate(paid)
            print(f"{paid:>9} {loans:>7} {built:>8.1f} {took:>9.1f} {paid / took:>11,.0f} "
                  f"{copy_s:>15,.0f} {insert_s:>17,.0f}", flush=True)
            day = due + timedelta(days=1)
        problems = run_audit()
        print("audit:", "clean" if not problems else f"{len(problems)} violation(s), e.g. {problems[:3]}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(args.pg, f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
