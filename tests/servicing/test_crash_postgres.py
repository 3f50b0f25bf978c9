"""``peerlend run-day`` on PostgreSQL, killed with SIGKILL at random points, ends in the same books.

The portfolio is built and committed in the test database, then copied (``CREATE DATABASE ... TEMPLATE``)
once per run: one copy gets an uninterrupted ``run-day``; each other copy gets ``run-day`` processes
that are killed (SIGKILL: no cleanup, no rollback in Python, PostgreSQL aborts the open transaction)
after a random number of committed chunks or after a random delay, then one run to completion. Every
copy must end with the same ledger (balance per account, entries by kind), the same notes and
schedules, and a clean ``peerlend audit``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from tests.servicing.conftest import deposit, fund_reserve, schedule, young_borrower

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# Short grace and compensation periods: late fees, penalty interest and compensations all happen within a
# dozen business days, which keeps each run short.
ENV_RULES = {"PEERLEND_GUARANTEE_MODE": "risk_reserve", "PEERLEND_GRACE_DAYS": "2", "PEERLEND_COMPENSATION_DAYS": "4"}
SEEDS = (11, 12, 13)
RUN_TIMEOUT = 60  # seconds; a run that hangs fails the test instead of blocking the suite

# Runs a command in a child process. ``--kill-after-chunks N``: the process SIGKILLs itself right after
# its N-th committed chunk (a deterministic kill point between two transactions). ``--audit``: then runs
# ``peerlend audit`` in the same process (exit status 1 on any violation).
RUNNER = """
import os, signal, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")
import django
django.setup()
from django.core.management import call_command
from peerlend.servicing import batch
args = sys.argv[1:]
audit = args[0] == "--audit"
if audit:
    args = args[1:]
if args[0] == "--kill-after-chunks":
    budget = int(args[1])
    args = args[2:]
    seen = [0]
    def hook(step, number):
        seen[0] += 1
        if seen[0] >= budget:
            os.kill(os.getpid(), signal.SIGKILL)
    batch.chunk_hook = hook
call_command(*args)
if audit:
    call_command("audit")
"""


def _dsn(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _env(name: str) -> dict[str, str]:
    env = {**os.environ, **ENV_RULES, "DATABASE_URL": _dsn(name), "DJANGO_SETTINGS_MODULE": "peerlend.settings"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def _start(name: str, *args: str, kill_after_chunks: int | None = None, audit: bool = False
           ) -> subprocess.Popen[bytes]:
    extra = (["--audit"] if audit else []) + (["--kill-after-chunks", str(kill_after_chunks)]
                                              if kill_after_chunks else [])
    return subprocess.Popen([sys.executable, "-c", RUNNER, *extra, *args], cwd=ROOT, env=_env(name),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    return proc.returncode, (out + err).decode(errors="replace")


def _state(name: str) -> dict[str, list[tuple[object, ...]]]:
    """The books of one database copy, ids of generated rows left out where they could differ."""
    queries = {
        "balances": "SELECT code, balance_minor FROM ledger_ledgeraccount ORDER BY code",
        "entries": "SELECT kind, COUNT(*), SUM(CASE WHEN posted THEN 1 ELSE 0 END) FROM ledger_journalentry "
                   "GROUP BY kind ORDER BY kind",
        "postings": "SELECT a.code, e.kind, p.amount_minor, e.business_date FROM ledger_posting p "
                    "JOIN ledger_journalentry e ON e.id = p.entry_id "
                    "JOIN ledger_ledgeraccount a ON a.id = p.account_id "
                    "ORDER BY 1, 2, 3, 4",
        "notes": "SELECT id, principal_outstanding_minor, principal_received_minor, interest_received_minor, "
                 "fees_paid_minor, charged_off_minor, status FROM lending_note ORDER BY id",
        "installments": "SELECT loan_id, number, principal_paid_minor, interest_paid_minor, late_fee_minor, "
                        "late_fee_paid_minor, penalty_minor, penalty_paid_minor, status, compensated_on, "
                        "reserve_repaid_minor FROM servicing_installment ORDER BY loan_id, number",
        "loans": "SELECT id, status, principal_outstanding_minor FROM lending_loan ORDER BY id",
        "payments": "SELECT loan_id, kind, amount_minor, business_date FROM servicing_servicingpayment "
                    "ORDER BY 1, 2, 3, 4",
        "steps": "SELECT business_date, step FROM servicing_batchstep ORDER BY 1, 2",
        "pending": "SELECT installment_id, amount_minor, since, last_tried FROM servicing_compensationpending "
                   "ORDER BY 1",
    }
    with psycopg.connect(_dsn(name)) as conn:
        return {key: conn.execute(sql).fetchall() for key, sql in queries.items()}


@pytest.fixture
def portfolio(disbursed_loan) -> Iterator[tuple[date, date]]:
    """Loans that pay, part-pay and never pay, a reserve that runs short; committed; returns the dates."""
    with override_settings(PEERLEND={**settings.PEERLEND, "GUARANTEE_MODE": "risk_reserve"}):
        loans = []
        for k in range(4):
            who = young_borrower()
            loan = disbursed_loan(amount_minor=2_000_00, term_months=3, borrower=who, shares=(1_200_00, 800_00))
            first = schedule(loan)[0]
            if k == 0:
                deposit(who, first.payment_minor * 3)
            elif k == 1:
                deposit(who, first.payment_minor // 2)
            loans.append(loan)
        fund_reserve(schedule(loans[0])[0].payment_minor * 2)  # enough for some compensations, not all
    first_due = schedule(loans[0])[0].due_date
    yield first_due - timedelta(days=1), first_due + timedelta(days=10)


def test_run_day_on_postgres_killed_by_a_subprocess_signal(portfolio):
    start, until = portfolio
    command = ("run_day", "--date", start.isoformat(), "--until", until.isoformat(), "--chunk", "1")
    template = connection.settings_dict["NAME"]
    copies = [f"{template}_uninterrupted", *(f"{template}_seed{seed}" for seed in SEEDS)]
    connection.close()  # a template database must have no other session
    try:
        for name in copies:
            _admin(f'DROP DATABASE IF EXISTS "{name}"')
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

        began = time.monotonic()
        code, output = _finish(_start(copies[0], *command, audit=True))
        assert code == 0, output
        uninterrupted_seconds = time.monotonic() - began
        expected = _state(copies[0])
        assert {kind for kind, _n, _posted in expected["entries"]} >= {"auto_debit", "compensation"}, expected
        assert expected["pending"], "the reserve should run short for one compensation"

        kills = 0
        for seed, name in zip(SEEDS, copies[1:], strict=True):
            rng = random.Random(seed)
            # Between two transactions: right after a random committed chunk.
            code, output = _finish(_start(name, *command, kill_after_chunks=rng.randint(2, 25)))
            assert code == -signal.SIGKILL, output
            kills += 1
            # Anywhere: a random moment of the run, most likely inside a chunk's transaction.
            proc = _start(name, *command)
            time.sleep(rng.uniform(0.2, 1.0) * uninterrupted_seconds)
            proc.send_signal(signal.SIGKILL)
            code, output = _finish(proc)
            assert code in (0, -signal.SIGKILL), output
            kills += code == -signal.SIGKILL
            # The run to completion, then the audit.
            code, output = _finish(_start(name, *command, audit=True))
            assert code == 0, output
            got = _state(name)
            for key in expected:
                assert got[key] == expected[key], f"seed {seed}: {key} differs from the uninterrupted run"
        assert kills >= len(SEEDS)
    finally:
        for name in copies:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
