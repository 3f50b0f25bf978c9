"""Monthly operating data on a PostgreSQL book: seconds for the whole snapshot and for each group of figures.

Builds a book straight into the tables with set-based SQL (outside the services, for speed): N loans of
K notes (default 10,000 x 100 = 1M notes), disbursed over 24 months, 12 monthly installments each; every
installment due before the bench date is paid by one servicing payment whose ledger entry has 1 + K
postings (about 8.6M postings at the default size), except every 20th loan, which stops paying after
three installments (overdue, some more than 90 days); the risk reserve compensates some of them. Then it
times ``peerlend.disclosure.monthly.figures.compute`` for the last month-end. Goal: under 30 s at 1M
notes and 10M postings.

Usage: .venv/bin/python bench/disclosure.py [--loans 10000] [--notes-per-loan 100]
       [--pg postgres://postgres@127.0.0.1:5432]
It creates (and drops) a throwaway database ``bench_disclosure``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "bench_disclosure"
BENCH_DAY = date(2026, 12, 1)
AS_OF = date(2026, 11, 30)
FIRST = date(2024, 12, 1)


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


def build(n_loans: int, per_loan: int, n_investors: int) -> None:
    """Users, accounts, loans, notes, installments, payments, entries and postings, all with SQL."""
    from django.db import connection, transaction

    from peerlend.accounts.models import User
    from peerlend.clock import set_business_date
    from peerlend.lending.models import Loan

    set_business_date(BENCH_DAY)
    note_minor = 120_00  # each note gets 10.00 principal + 1.00 interest per installment
    with transaction.atomic():
        User.objects.bulk_create([User(username=f"bi{i}", password="!", roles=["investor"])
                                  for i in range(n_investors)], batch_size=5000)
        User.objects.bulk_create([User(username=f"bb{i}", password="!", roles=["borrower"])
                                  for i in range(n_loans)], batch_size=5000)
        template = Loan(amount_minor=1, term_months=12, repayment_method="equal_principal", purpose="other",
                        title="bench", annual_income_minor=1, status="current", grade="B1")
        loans = []
        for i, borrower in enumerate(User.objects.filter(username__startswith="bb").order_by("pk").values_list(
                "pk", flat=True)):
            month = i % 24
            disbursed = date(FIRST.year + (FIRST.month - 1 + month) // 12, (FIRST.month - 1 + month) % 12 + 1,
                             1 + i % 28)
            loan = Loan(**{f.attname: getattr(template, f.attname) for f in Loan._meta.concrete_fields
                           if not f.primary_key})
            loan.borrower_id, loan.amount_minor = borrower, note_minor * per_loan
            loan.funded_minor = loan.principal_outstanding_minor = note_minor * per_loan
            loan.disbursed_on, loan.listed_on = disbursed, disbursed.replace(day=1)
            loans.append(loan)
        Loan.objects.bulk_create(loans, batch_size=5000)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("""INSERT INTO ledger_ledgeraccount (code, owner_id, kind, currency, balance_minor, created_at)
                       SELECT 'user:' || id || ':available', id, 'available', 'CNY', 0, now() FROM accounts_user""")
        cur.execute("""INSERT INTO ledger_ledgeraccount (code, kind, currency, balance_minor, created_at)
                       VALUES ('platform:risk_reserve', 'platform', 'CNY', 0, now())
                       ON CONFLICT (code) DO NOTHING""")
        cur.execute("CREATE TEMP TABLE inv AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM accounts_user "
                    "WHERE username LIKE 'bi%%'")
        cur.execute(f"""INSERT INTO lending_note (loan_id, investor_id, amount_minor, status,
                          principal_outstanding_minor, principal_received_minor, interest_received_minor,
                          fees_paid_minor, charged_off_minor, auto_invested, created_at, placed_on)
                        SELECT l.id, inv.id, {note_minor}, 'active', {note_minor}, 0, 0, 0, 0, false, now(),
                               l.disbursed_on
                        FROM lending_loan l CROSS JOIN generate_series(0, {per_loan - 1}) j
                        JOIN inv ON inv.k = (l.id * {per_loan} + j) % {n_investors}""")
        # Installments: 12 a loan; paid on the due date unless the loan is a payer that stopped (every 20th).
        cur.execute(f"""INSERT INTO servicing_installment (loan_id, number, due_date, principal_minor, interest_minor,
                          principal_paid_minor, interest_paid_minor, late_fee_minor, late_fee_paid_minor,
                          penalty_minor, penalty_paid_minor, status, paid_on, compensated_principal_minor,
                          compensated_interest_minor, reserve_repaid_minor)
                        SELECT l.id, n, (l.disbursed_on + make_interval(months => n))::date,
                               {per_loan * 10_00}, {per_loan * 1_00}, 0, 0, 0, 0, 0, 0,
                               CASE WHEN p THEN 'paid' ELSE 'scheduled' END,
                               CASE WHEN p THEN (l.disbursed_on + make_interval(months => n))::date END, 0, 0, 0
                        FROM lending_loan l CROSS JOIN generate_series(1, 12) n,
                        LATERAL (SELECT (l.disbursed_on + make_interval(months => n))::date < '{BENCH_DAY}'
                                        AND (l.id % 20 <> 0 OR n <= 3) AS p) x""")
        cur.execute("""CREATE TEMP TABLE pay AS SELECT i.loan_id, i.number, i.paid_on,
                         row_number() OVER (ORDER BY i.loan_id, i.number) AS r
                       FROM servicing_installment i WHERE i.paid_on IS NOT NULL""")
        cur.execute("SELECT max(id) FROM ledger_journalentry")
        base = cur.fetchone()[0] or 0
        cur.execute(f"""INSERT INTO ledger_journalentry (id, kind, memo, reference, business_date, created_at, posted)
                        SELECT {base} + r, CASE WHEN loan_id % 40 = 0 THEN 'compensation' ELSE 'repayment' END,
                               '', 'loan:' || loan_id, paid_on, now(), false FROM pay""")
        cur.execute("SELECT setval(pg_get_serial_sequence('ledger_journalentry', 'id'), "
                    "(SELECT max(id) FROM ledger_journalentry))")
        cur.execute(f"""INSERT INTO servicing_servicingpayment (loan_id, kind, amount_minor, principal_to_notes_minor,
                          interest_to_notes_minor, service_fee_minor, late_fee_minor, to_reserve_minor, entry_id,
                          business_date, created_at)
                        SELECT loan_id, CASE WHEN loan_id % 40 = 0 THEN 'compensation' ELSE 'repayment' END,
                               {per_loan * 11_00}, {per_loan * 10_00}, {per_loan * 1_00}, 0, 0, 0, {base} + r,
                               paid_on, now() FROM pay""")
        # Postings: the payer (the borrower, or the reserve for a compensation) and each note's investor.
        cur.execute(f"""INSERT INTO ledger_posting (entry_id, account_id, amount_minor)
                        SELECT {base} + pay.r, a.id, -{per_loan * 11_00} FROM pay
                        JOIN lending_loan l ON l.id = pay.loan_id
                        JOIN ledger_ledgeraccount a ON a.code = CASE WHEN pay.loan_id % 40 = 0
                             THEN 'platform:risk_reserve' ELSE 'user:' || l.borrower_id || ':available' END""")
        cur.execute(f"""INSERT INTO ledger_posting (entry_id, account_id, amount_minor)
                        SELECT {base} + pay.r, a.id, 1100 FROM pay
                        JOIN lending_note n ON n.loan_id = pay.loan_id
                        JOIN ledger_ledgeraccount a ON a.owner_id = n.investor_id AND a.kind = 'available'""")
        # Entries are marked posted after their postings (the database checks each sums to zero then).
        cur.execute(f"UPDATE ledger_journalentry SET posted = true WHERE id > {base}")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=10_000)
    parser.add_argument("--notes-per-loan", type=int, default=100)
    parser.add_argument("--investors", type=int, default=20_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database; with --reuse, time it again")
    parser.add_argument("--reuse", action="store_true", help="time the book a --keep run left")
    args = parser.parse_args()
    if not args.reuse:
        psql(args.pg, f"DROP DATABASE IF EXISTS {DB}")
        psql(args.pg, f"CREATE DATABASE {DB}")
    try:
        setup_django(args.pg)
        started = time.perf_counter()
        if not args.reuse:
            build(args.loans, args.notes_per_loan, args.investors)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM lending_loan), (SELECT count(*) FROM lending_note), "
                        "(SELECT count(*) FROM ledger_posting)")
            loans, notes, postings = cur.fetchone()
        print(f"book: {loans:,} loans, {notes:,} notes, {postings:,} postings "
              f"(built in {time.perf_counter() - started:.1f} s)")
        from peerlend.disclosure.monthly.figures import compute

        timings: dict[str, float] = {}
        started = time.perf_counter()
        figures = compute(AS_OF, timings)
        total = time.perf_counter() - started
        for name, seconds in timings.items():
            print(f"  {name:<22} {seconds:8.2f} s")
        print(f"snapshot as of {AS_OF}: {total:.2f} s (goal < 30 s); outstanding {figures['outstanding_count']:,} "
              f"loans, overdue {figures['overdue_count']:,}, compensation {figures['compensation_count']:,}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(args.pg, f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
