"""Funding race on PostgreSQL: 32 concurrent investors (processes) on one loan.

Prints investments per second through ``lending.services.invest`` (loan row lock, ledger
freeze, note insert, and the final disbursement) and the oversubscription count (must be 0),
next to pgbench's single-row UPDATE rate on the same server in the same run: every
investment in one loan serialises on that loan's row, so single-row update tps is the limit.

Usage: .venv/bin/python bench/funding.py [--clients 32] [--seconds 10] [--pg postgres://postgres@127.0.0.1:5432]
It creates (and drops) a throwaway database ``bench_funding``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True)


def pgbench_single_row(server: str, db: str, clients: int, seconds: int) -> float | None:
    if shutil.which("pgbench") is None:
        print("pgbench not found; skipping the reference figure")
        return None
    url = f"{server}/{db}"
    subprocess.run(["pgbench", "-i", "-q", "-s", "1", url], check=True, capture_output=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1;\n")
    out = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", script.name, url],
        check=True, capture_output=True, text=True,
    ).stdout
    os.unlink(script.name)
    match = re.search(r"tps = ([0-9.]+)", out)
    return float(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--note-minor", type=int, default=50_00)
    parser.add_argument("--notes-per-client", type=int, default=40)
    args = parser.parse_args()

    db = "bench_funding"
    psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    psql(args.pg, f"CREATE DATABASE {db}")
    os.environ["DATABASE_URL"] = f"{args.pg}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")
    total_minor = args.clients * args.notes_per_client * args.note_minor
    os.environ["PEERLEND_CAP_COMPANY_MINOR"] = str(max(total_minor, 1_000_000_00))
    os.environ["PEERLEND_SECOND_REVIEW_ABOVE_MINOR"] = str(total_minor + 1)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from peerlend.accounts.models import Role
    from peerlend.errors import ApplicationError
    from peerlend.ledger.gateway import sandbox
    from peerlend.ledger.services import create_deposit_order, with_retries
    from peerlend.lending import services
    from peerlend.lending.models import Note
    from tests.factories import make_staff, make_user

    borrower = make_user(roles=("borrower",), kind="company")  # the company cap comes from KYC
    officer = make_staff(Role.RISK_OFFICER)
    loan = services.submit_application(
        borrower=borrower,
        data=services.ApplicationInput(
            amount_minor=total_minor, term_months=12, repayment_method="equal_installment",
            purpose="business", annual_income_minor=total_minor * 4, employment_years=8,
        ),
    )
    services.approve(officer=officer, loan_id=loan.pk, reason="bench")
    investors = []
    for _ in range(args.clients):
        investor = make_user(roles=("investor",))
        # More cash than the loan needs, so that the race, not the balance, decides.
        sandbox.pay(create_deposit_order(investor, total_minor))
        investors.append(investor)
    connection.close()

    # One OS process per client (forked after set-up), so the figure is not capped by one GIL.
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(args.clients)
    counts = ctx.Array("i", args.clients)
    refused = ctx.Value("i", 0)

    def client(i: int) -> None:
        connection.close()
        barrier.wait()
        try:
            while True:
                try:
                    with_retries(lambda: services.invest(investor=investors[i], loan_id=loan.pk,
                                                         amount_minor=args.note_minor))
                    counts[i] += 1
                except ApplicationError as exc:
                    if exc.code not in ("not_listed", "over_remaining"):
                        with refused.get_lock():
                            refused.value += 1
                    return
        finally:
            connection.close()

    processes = [ctx.Process(target=client, args=(i,)) for i in range(args.clients)]
    start = time.perf_counter()
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    elapsed = time.perf_counter() - start
    # Processes that finished after the loan filled still count in the elapsed time.

    loan.refresh_from_db()
    notes_sum = sum(Note.objects.filter(loan=loan).values_list("amount_minor", flat=True))
    oversubscription = max(notes_sum - loan.amount_minor, 0) + max(loan.funded_minor - loan.amount_minor, 0)
    investments = sum(counts[:])
    from peerlend.ledger.audit import run_audit

    violations = run_audit()
    connection.close()
    tps = pgbench_single_row(args.pg, db, args.clients, args.seconds)
    psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    print(f"clients: {args.clients}, loan {total_minor / 100:.2f} CNY in notes of {args.note_minor / 100:.2f} CNY")
    print(f"investments: {investments} in {elapsed:.2f} s -> {investments / elapsed:,.0f} investments/s "
          f"(incl. the final disbursement of {investments} notes)")
    print(f"loan {loan.pk} status: {loan.status}, funded {loan.funded_minor} of {loan.amount_minor} minor units")
    print(f"oversubscription: {oversubscription} minor units (must be 0); unexpected refusals: {refused.value}")
    print(f"audit after the race: {violations or 'clean'}")
    if tps is not None:
        print(f"pgbench single-row UPDATE, {args.clients} clients: {tps:,.0f} tps (the serialisation limit)")
    if oversubscription or violations:
        sys.exit(1)


if __name__ == "__main__":
    main()
