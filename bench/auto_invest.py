"""Auto-invest on PostgreSQL: many investors with rules, many new listings, one round per listing.

Prints, each next to its goal and as a ratio to it: notes placed per second (goal >= 2,000), wall
time per listing's round p50 / p99 / max (goal: every round < 1 s), and the fairness spread: max -
min share of the starting cash each investor had auto-invested, across investors with equal rules
and cash (goal: within two notes' worth of one investor's cash). The machine's load average is
printed with them: on a shared machine the figures are those of the share the bench got.

The listings are created directly (listed, scored fields filled) and each round is timed as the
listing hook runs it (``engine.run_round(loan, "listing")``); investors are real verified members
with a risk assessment, funded by balanced deposit entries.

Usage: .venv/bin/python bench/auto_invest.py [--investors 5000] [--listings 1000] [--loan 10000.00]
       [--pg postgres://postgres@127.0.0.1:5432]   (quick run: --investors 300 --listings 30)
       [--queries]  (the last round's statements by shape, with their time)
       [--reuse-setup] [--rounds N]  (repeat runs start from a saved copy of the set-up; time N rounds)
       [--profile]  (where the rounds spend their time)
It creates (and drops) a throwaway database ``bench_auto_invest`` (or ``$BENCH_DB``).
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True)


def template_exists(server: str, name: str) -> bool:
    sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    found = subprocess.run(["psql", f"{server}/postgres", "-tAc", sql], check=True, capture_output=True, text=True)
    return found.stdout.strip() == "1"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def print_queries(run_round: Any, loan_id: int) -> None:
    """Run one round capturing its statements; print each shape (literals hidden) with its count."""
    import re
    from collections import Counter

    from django.db import connection

    shapes: Counter[str] = Counter()
    spent: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        shape = re.sub(r"\b\d+\b|'[^']*'|%s", "?", sql)[:150]
        shapes[shape] += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[shape] += time.perf_counter() - start

    with connection.execute_wrapper(count):
        rnd = run_round(loan_id, "listing")
    print(f"first round: {shapes.total()} statements for {rnd.placed if rnd else 0} notes placed, "
          f"{sum(spent.values()) * 1000:.0f} ms in the database")
    for shape, seconds in spent.most_common(40):
        print(f"{shapes[shape]:6d} {seconds * 1000:8.1f} ms  {shape}")


def set_up(args: argparse.Namespace, loan_minor: int, cash_minor: int, unit: int,
           today: date) -> tuple[list[Any], list[Any]]:
    """Verified investors with cash and one rule each, and the listings (created directly, already scored)."""
    from peerlend.accounts.models import User
    from peerlend.investing.models_autoinvest import AutoInvestRule
    from peerlend.ledger import services as ledger
    from peerlend.lending.models import Loan
    from tests.factories import make_user

    investors = [make_user(roles=("investor",)) for _ in range(args.investors)]
    accounts = ledger.user_accounts_many(investors)
    custody = ledger.platform_account("custody_bank")
    for start in range(0, len(investors), 1000):
        ledger.post_entries([ledger.EntrySpec(kind="deposit", reference=f"bench:{inv.pk}",
                                              lines=[(custody, -cash_minor), (accounts[inv.pk].available, cash_minor)])
                             for inv in investors[start:start + 1000]])
    if not args.sms:
        from peerlend.servicing.models import NotificationPreference

        NotificationPreference.objects.bulk_create([NotificationPreference(user=inv, email=False, sms=False)
                                                    for inv in investors])
    AutoInvestRule.objects.bulk_create([
        AutoInvestRule(investor=inv, name="bench", amount_per_note_minor=unit, max_per_loan_minor=unit)
        for inv in investors])
    borrowers = User.objects.bulk_create([User(username=f"bench_b{i}", roles=["borrower"])
                                          for i in range(args.listings)])
    loans = Loan.objects.bulk_create([
        Loan(borrower=b, amount_minor=loan_minor, term_months=12, repayment_method="equal_installment",
             purpose="debt_consolidation", title="bench", annual_income_minor=loan_minor * 4, grade="A3",
             annual_rate=Decimal("0.0900"), origination_fee_rate=Decimal("0.0200"), status="listed",
             listed_on=today, list_expires_on=today + timedelta(days=7))
        for b in borrowers])
    return investors, loans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investors", type=int, default=5000)
    parser.add_argument("--listings", type=int, default=1000)
    parser.add_argument("--loan", default="10000.00", help="each listing's amount, CNY")
    parser.add_argument("--cash", default="100000.00", help="each investor's starting cash, CNY")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--rounds", type=int, default=0,
                        help="run the rounds of the first N listings only (quick comparisons on a reused set-up)")
    parser.add_argument("--reuse-setup", action="store_true",
                        help="keep the set-up as a template database and start from it when it exists (repeated "
                             "runs skip the minutes of creating verified investors; drop it with DROP DATABASE)")
    parser.add_argument("--profile", action="store_true", help="print the functions the rounds spend most time in")
    parser.add_argument("--queries", action="store_true",
                        help="print the statements of the last round, grouped by shape, with their count and time")
    parser.add_argument("--sms", action="store_true",
                        help="keep e-mail and SMS on for every investor (default: inbox only, so the rounds are "
                             "timed without sending one SMS per note through the console backend)")
    args = parser.parse_args()

    db = os.environ.get("BENCH_DB", "bench_auto_invest")
    template = f"{db}_setup_{args.investors}_{args.listings}_{args.loan.replace('.', '_')}_{int(args.sms)}"
    psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    reused = args.reuse_setup and template_exists(args.pg, template)
    psql(args.pg, f"CREATE DATABASE {db}" + (f" TEMPLATE {template}" if reused else ""))
    os.environ["DATABASE_URL"] = f"{args.pg}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # set-up speed only
    call_command("migrate", verbosity=0)

    from peerlend.accounts.models import User
    from peerlend.clock import set_business_date
    from peerlend.domain.money import parse_amount_minor
    from peerlend.investing.autoinvest.engine import run_round
    from peerlend.lending.models import Loan, Note
    from peerlend.querylog import without_query_log

    loan_minor, cash_minor = parse_amount_minor(args.loan), parse_amount_minor(args.cash)
    unit = int(settings.PEERLEND["NOTE_UNIT_MINOR"])
    today = date(2026, 3, 2)
    set_business_date(today)

    t0 = time.perf_counter()
    if reused:
        investors = list(User.objects.filter(roles__contains=["investor"]).order_by("id"))
        loans = list(Loan.objects.filter(status="listed").order_by("id"))
    else:
        investors, loans = set_up(args, loan_minor, cash_minor, unit, today)
    setup = time.perf_counter() - t0
    connection.close()
    if args.reuse_setup and not reused:
        psql(args.pg, f"CREATE DATABASE {template} TEMPLATE {db}")


    if args.rounds:
        loans = loans[:args.rounds]
    walls: list[float] = []
    placed = 0
    import cProfile

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    last = loans[-1] if args.queries else None  # its round is printed by statement, after the others
    with without_query_log():
        for loan in loans[:-1] if last else loans:
            start = time.perf_counter()
            rnd = run_round(loan.pk, "listing")
            walls.append(time.perf_counter() - start)
            placed += rnd.placed if rnd else 0
    if last:
        print_queries(run_round, last.pk)
    busy = sum(walls)
    if profiler:
        import pstats

        profiler.disable()
        # BENCH_SORT=cumulative BENCH_FILTER=peerlend: the project's own functions by cumulative time.
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime"))
        stats.print_stats(os.environ.get("BENCH_FILTER", ""), 30)

    invested = dict.fromkeys((inv.pk for inv in investors), 0)
    for investor_id, amount in Note.objects.filter(auto_invested=True).values_list("investor_id", "amount_minor"):
        invested[investor_id] += amount
    shares = [amount / cash_minor for amount in invested.values()]
    spread = max(shares) - min(shares)
    note_share = unit / cash_minor
    funded = sum(Loan.objects.filter(pk__in=[ln.pk for ln in loans]).values_list("funded_minor", flat=True))
    over = Loan.objects.filter(funded_minor__gt=loan_minor).count()
    from peerlend.ledger.audit import run_audit

    violations = run_audit()
    connection.close()
    if not args.keep:
        psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    rate = placed / busy if busy else 0.0
    worst = max(walls) if walls else 0.0
    print(f"set-up: {args.investors} investors with one rule each, {args.listings} listings of {args.loan} CNY "
          f"({setup:.1f} s); notices: {'inbox, e-mail and SMS' if args.sms else 'inbox only'}")
    print(f"machine load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    print(f"notes placed: {placed} ({funded / 100:,.2f} CNY) in {busy:.2f} s of rounds")
    print(f"notes placed per second: {rate:,.0f}   goal >= 2,000   {rate / 2000:.2f} x the goal   "
          f"{'OK' if rate >= 2000 else 'MISSED'}")
    print(f"round wall time p50 {pct(walls, 0.50) * 1000:.0f} ms, p99 {pct(walls, 0.99) * 1000:.0f} ms, "
          f"max {worst * 1000:.0f} ms   goal: every round < 1,000 ms   max is {worst:.2f} x the goal   "
          f"{'OK' if worst < 1 else 'MISSED'}")
    print(f"fairness spread (max - min share of cash auto-invested, equal rules and cash): {spread:.4%} "
          f"(min {min(shares):.4%}, max {max(shares):.4%})   goal <= {2 * note_share:.4%} (two notes)   "
          f"{spread / (2 * note_share):.2f} x the goal   {'OK' if spread <= 2 * note_share + 1e-12 else 'MISSED'}")
    print(f"oversubscribed loans: {over} (must be 0); audit: {violations or 'clean'}")
    if over or violations:
        sys.exit(1)


if __name__ == "__main__":
    main()
