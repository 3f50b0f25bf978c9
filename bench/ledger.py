"""Balanced journal entries posted per second: peerlend's ledger on SQLite and PostgreSQL, and
django-hordak on the same PostgreSQL server, in one run.

    .venv/bin/python bench/ledger.py [--single 1000] [--batched 3000] [--batch-size 100]
        [--pg postgres://postgres@127.0.0.1:5432/postgres]

Each measurement runs in a subprocess with its own Django settings and a scratch database
(created and dropped here). "single" = one entry per transaction; "batched" = ``--batch-size``
entries per transaction. Every entry is two postings (custody_bank -> a user's available), with
row locks and balance updates for peerlend, ``Account.transfer_to`` for hordak. If hordak cannot
be installed or run (``pip install -e '.[bench]'``), the reason is printed and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


# -- workers (run in subprocesses) ----------------------------------------------------------------


def _timed(fn, count: int) -> float:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    return count / elapsed if elapsed else float("inf")


def worker_peerlend(single: int, batched: int, batch_size: int) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "peerlend.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0, interactive=False)
    from peerlend.accounts.models import User
    from peerlend.ledger import services
    from peerlend.ledger.audit import run_audit

    users = [User.objects.create_user(username=f"bench{n}", password=None) for n in range(10)]
    accounts = [services.user_accounts(u).available for u in users]
    custody = services.platform_account("custody_bank")

    def post(i: int) -> None:
        services.post_entry(kind="deposit", lines=[(custody, -(100 + i % 50)), (accounts[i % 10], 100 + i % 50)],
                            reference=f"bench:{i}")

    for i in range(50):  # warm-up
        post(i)

    def run_single() -> None:
        for i in range(single):
            post(i)

    def run_batched() -> None:
        for start in range(0, batched, batch_size):
            with transaction.atomic():
                for i in range(start, min(start + batch_size, batched)):
                    post(i)

    result = {
        "vendor": connection.vendor,
        "single": _timed(run_single, single),
        "batched": _timed(run_batched, batched),
    }
    violations = run_audit()
    result["audit"] = "clean" if not violations else f"{len(violations)} violation(s): {violations[0]}"
    return result


def worker_hordak(single: int, batched: int, batch_size: int) -> dict:
    sys.path.insert(0, str(BENCH))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hordak_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0, interactive=False)
    from djmoney.money import Money
    from hordak.models import Account

    bank = Account.objects.create(name="Custody bank", type=Account.TYPES.asset, currencies=["CNY"])
    users = [Account.objects.create(name=f"user {n}", type=Account.TYPES.liability, currencies=["CNY"])
             for n in range(10)]

    def post(i: int) -> None:
        # Liability -> asset: both increase (a deposit held in custody), two legs, balanced.
        with transaction.atomic():
            users[i % 10].transfer_to(bank, Money(f"{1 + i % 50}.00", "CNY"), description=f"bench:{i}")

    for i in range(50):
        post(i)

    def run_single() -> None:
        for i in range(single):
            post(i)

    def run_batched() -> None:
        for start in range(0, batched, batch_size):
            with transaction.atomic():
                for i in range(start, min(start + batch_size, batched)):
                    post(i)

    import hordak

    return {
        "vendor": connection.vendor,
        "version": getattr(hordak, "__version__", "") or _dist_version("django-hordak"),
        "single": _timed(run_single, single),
        "batched": _timed(run_batched, batched),
        "balance_check": str(bank.get_balance()),
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


# -- driver ---------------------------------------------------------------------------------------


def _run_worker(kind: str, url: str, args: argparse.Namespace) -> dict:
    env = {**os.environ, "PEERLEND_LOG_LEVEL": "WARNING"}
    env["DATABASE_URL" if kind == "peerlend" else "BENCH_DATABASE_URL"] = url
    cmd = [sys.executable, __file__, "--worker", kind, "--single", str(args.single), "--batched",
           str(args.batched), "--batch-size", str(args.batch_size)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(" | ".join(tail) or f"exit {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _with_db(base_url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _row(label: str, res: dict | None, note: str = "") -> str:
    if res is None:
        return f"{label:<34} {'-':>12} {'-':>14}  {note}"
    return f"{label:<34} {res['single']:>12,.0f} {res['batched']:>14,.0f}  {note}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", choices=["peerlend", "hordak"])
    parser.add_argument("--single", type=int, default=1000)
    parser.add_argument("--batched", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--pg", default=os.environ.get("PEERLEND_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()

    if args.worker:
        fn = worker_peerlend if args.worker == "peerlend" else worker_hordak
        print(json.dumps(fn(args.single, args.batched, args.batch_size)))
        return 0

    print(f"ledger bench: {args.single} single entries, {args.batched} batched ({args.batch_size} per transaction); "
          "2 postings per entry")
    print(f"{'':<34} {'single/s':>12} {'batched/s':>14}")
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        try:
            res = _run_worker("peerlend", f"sqlite:///{tmp}/bench.sqlite3", args)
            print(_row("peerlend ledger, SQLite (WAL file)", res, f"audit {res['audit']}"))
        except RuntimeError as exc:
            print(_row("peerlend ledger, SQLite", None, f"failed: {exc}"))
            status = 1

    pid = os.getpid()
    pg_ours, pg_hordak = f"peerlend_bench_ledger_{pid}", f"peerlend_bench_hordak_{pid}"
    try:
        _admin(args.pg, f"CREATE DATABASE {pg_ours}")
    except Exception as exc:
        print(_row("peerlend ledger, PostgreSQL", None, f"PostgreSQL unavailable at {args.pg}: {exc}"))
        return 1
    try:
        res = _run_worker("peerlend", _with_db(args.pg, pg_ours), args)
        print(_row("peerlend ledger, PostgreSQL", res, f"audit {res['audit']}"))
    except RuntimeError as exc:
        print(_row("peerlend ledger, PostgreSQL", None, f"failed: {exc}"))
        status = 1
    finally:
        _admin(args.pg, f"DROP DATABASE IF EXISTS {pg_ours} WITH (FORCE)")

    try:
        import hordak  # noqa: F401
    except ImportError:
        print(_row("django-hordak, PostgreSQL", None, "skipped: django-hordak is not installed "
                   "(pip install -e '.[bench]')"))
        return status
    try:
        _admin(args.pg, f"CREATE DATABASE {pg_hordak}")
        res = _run_worker("hordak", _with_db(args.pg, pg_hordak), args)
        print(_row(f"django-hordak {res['version']}, PostgreSQL", res))
    except Exception as exc:
        print(_row("django-hordak, PostgreSQL", None, f"could not run: {exc}"))
    finally:
        _admin(args.pg, f"DROP DATABASE IF EXISTS {pg_hordak} WITH (FORCE)")
    return status


if __name__ == "__main__":
    sys.exit(main())
