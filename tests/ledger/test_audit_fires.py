"""Every ledger audit check can fail: each invariant is broken with raw SQL and the audit names it.

The database guards (append-only triggers, CHECK constraints, range guards) refuse most of these
corruptions, which is the point of them; to prove the audit would still catch a corruption that got
past them (an old row, a restored backup, a hand-edited table), :func:`guards_off` lifts the guards
inside the test's transaction, which is rolled back afterwards.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from peerlend.domain.money import MAX_BALANCE_MINOR
from peerlend.ledger import services
from peerlend.ledger.audit import register_check, registered_checks, run_audit
from tests.factories import make_user
from tests.ledger.conftest import fund

pytestmark = pytest.mark.django_db

GUARDED_TABLES = ("ledger_posting", "ledger_journalentry", "ledger_ledgeraccount", "compliance_auditevent")
# Contexts whose checks are proven to fire (this module: ledger and compliance; the others in
# tests/servicing/test_checks_fire.py, tests/lending/test_checks_fire.py and tests/investing/plans/test_checks.py).
PROVEN_CONTEXTS = {"ledger", "compliance", "servicing", "lending", "investing"}


def fired() -> set[str]:
    return {v.check for v in run_audit()}


def sql(statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []


def true() -> str:
    return "TRUE" if connection.vendor == "postgresql" else "1"


@contextmanager
def guards_off() -> Iterator[None]:
    """Lift the books' database guards until the test's transaction rolls back."""
    if connection.vendor == "sqlite":
        placeholders = ", ".join(["%s"] * len(GUARDED_TABLES))
        for (name,) in sql(f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                           GUARDED_TABLES):
            sql(f'DROP TRIGGER "{name}"')
        sql("PRAGMA ignore_check_constraints = 1")
        try:
            yield
        finally:
            sql("PRAGMA ignore_check_constraints = 0")
        return
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # run the pending commit-time checks now: ALTER TABLE needs none queued
    sql("SET LOCAL session_replication_role = replica")  # no triggers fire (superuser, this transaction)
    rows = sql("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'c' "
               "AND conrelid::regclass::text = ANY(%s)", (list(GUARDED_TABLES),))
    for table, name in rows:
        sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield


@pytest.fixture(autouse=True)
def rolled_back(db: None) -> Iterator[None]:
    """Every corruption (and every lifted guard) is undone with the test's own savepoint."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def books(db: None) -> dict[str, int]:
    """Two members with settled deposits: a few posted, balanced entries."""
    alice, bob = make_user(), make_user()
    fund(alice, 500_00)
    entry = fund(bob, 200_00)
    assert fired() == set()
    return {
        "alice": services.user_accounts(alice).available.pk,
        "bob": services.user_accounts(bob).available.pk,
        "custody": services.platform_account("custody_bank").pk,
        "fee": services.platform_account("fee_income").pk,
        "entry": entry.pk,
    }


def _add_to_balance(account_id: int, delta: int) -> None:
    sql("UPDATE ledger_ledgeraccount SET balance_minor = balance_minor + %s WHERE id = %s", (delta, account_id))


def _raw_entry(lines: list[tuple[int, int]], *, post: bool = True) -> int:
    """A journal entry written with SQL (postings, then posted, as the guards demand), balances updated."""
    sql("INSERT INTO ledger_journalentry (kind, memo, reference, created_at, posted) "
        "VALUES ('raw', '', 'raw', CURRENT_TIMESTAMP, %s)" % ("FALSE" if connection.vendor == "postgresql" else "0"))
    (entry_id,) = sql("SELECT MAX(id) FROM ledger_journalentry")[0]
    for account_id, amount in lines:
        sql("INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)",
            (entry_id, account_id, amount))
        _add_to_balance(account_id, amount)
    if post:
        sql(f"UPDATE ledger_journalentry SET posted = {true()} WHERE id = %s", (entry_id,))
    return int(entry_id)  # type: ignore[call-overload]


def entry_posted_without_postings(b: dict[str, int]) -> None:
    with guards_off():
        sql("INSERT INTO ledger_journalentry (kind, memo, reference, created_at, posted) "
            f"VALUES ('raw', '', 'raw', CURRENT_TIMESTAMP, {true()})")


def posting_slipped_into_a_posted_entry(b: dict[str, int]) -> None:
    with guards_off():
        sql("INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, %s)",
            (b["entry"], b["fee"], 3))
    _add_to_balance(b["fee"], 3)


def entry_left_unposted(b: dict[str, int]) -> None:
    _raw_entry([(b["alice"], -1_00), (b["bob"], 1_00)], post=False)


def zero_posting(b: dict[str, int]) -> None:
    with guards_off():
        sql("INSERT INTO ledger_posting (entry_id, account_id, amount_minor) VALUES (%s, %s, 0)",
            (b["entry"], b["fee"]))


def balance_edited_on_both_sides(b: dict[str, int]) -> None:
    # The custody mirror still agrees (both sides moved), but neither balance is its postings' sum.
    _add_to_balance(b["alice"], 5)
    _add_to_balance(b["custody"], -5)


def member_overdrawn_by_a_balanced_entry(b: dict[str, int]) -> None:
    _raw_entry([(b["alice"], -600_00), (b["fee"], 600_00)])


def custody_mirror_edited(b: dict[str, int]) -> None:
    _add_to_balance(b["custody"], -7)


def amount_beyond_the_range(b: dict[str, int]) -> None:
    with guards_off():
        _raw_entry([(b["fee"], MAX_BALANCE_MINOR + 1), (b["custody"], -(MAX_BALANCE_MINOR + 1))])


def audit_event_edited(b: dict[str, int]) -> None:
    from peerlend.compliance.services import record_audit

    record_audit(actor=None, action="test.first", reason="first")
    event = record_audit(actor=None, action="test.second", reason="second")
    assert fired() == set()
    with guards_off():
        sql("UPDATE compliance_auditevent SET reason = 'rewritten' WHERE id = %s", (event.pk,))


# (corruption, the checks that must report it: the named one, plus any it cannot be broken without)
CASES: list[tuple[Callable[[dict[str, int]], None], set[str]]] = [
    (entry_posted_without_postings, {"ledger.entries_balance"}),
    # Books cannot be unbalanced without some balance disagreeing with its postings or the mirror.
    (posting_slipped_into_a_posted_entry, {"ledger.entries_balance", "ledger.custody_mirror"}),
    (entry_left_unposted, {"ledger.no_unposted_entries"}),
    (zero_posting, {"ledger.postings_non_zero"}),
    (balance_edited_on_both_sides, {"ledger.balances_match_postings"}),
    (member_overdrawn_by_a_balanced_entry, {"ledger.no_negative_balances"}),
    # With balances equal to balanced postings the mirror holds by arithmetic, so it can only be
    # broken together with a balance.
    (custody_mirror_edited, {"ledger.custody_mirror", "ledger.balances_match_postings"}),
    (amount_beyond_the_range, {"ledger.amounts_in_range"}),
    (audit_event_edited, {"compliance.audit_chain"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_each_ledger_check_reports_its_corruption(books, corrupt, expected):
    corrupt(books)
    assert fired() == expected


def test_every_ledger_and_compliance_check_has_a_corruption_that_fires_it():
    named = {check for _corrupt, expected in CASES for check in expected}
    own = {name for name in registered_checks() if name.split(".")[0] in ("ledger", "compliance")}
    assert own <= named, f"no test breaks {sorted(own - named)}"


def test_every_registered_check_belongs_to_a_context_whose_checks_are_proven():
    contexts = {name.split(".")[0] for name in registered_checks()}
    assert contexts <= PROVEN_CONTEXTS, f"add a test that breaks the checks of {sorted(contexts - PROVEN_CONTEXTS)}"


# ---------------------------------------------------------------- a check that cannot run fails the audit


def _audit_command() -> tuple[int, str]:
    import io

    out = io.StringIO()
    try:
        call_command("audit", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_audit_chain_check_fails_loudly_when_its_module_cannot_be_imported(books, monkeypatch):
    monkeypatch.setitem(sys.modules, "peerlend.compliance.selectors", None)  # the import raises ImportError
    violations = [v for v in run_audit() if v.check == "compliance.audit_chain"]
    assert len(violations) == 1
    assert violations[0].message.startswith("check crashed: ModuleNotFoundError"), violations
    code, out = _audit_command()
    assert code == 1 and "compliance.audit_chain" in out


@pytest.mark.parametrize("result", [None, "a message, not a list", [1, 2], {"x": 1}],
                         ids=["none", "string", "not-strings", "dict"])
def test_a_check_returning_something_other_than_messages_fails_the_audit(books, result):
    from peerlend.ledger import audit

    register_check("test.malformed", lambda: result)
    try:
        violations = [v for v in run_audit() if v.check == "test.malformed"]
        assert len(violations) == 1, violations
        assert "crashed" in violations[0].message
    finally:
        audit._CHECKS.pop("test.malformed", None)


def test_a_crashing_registered_check_fails_the_audit_command(books):
    from peerlend.ledger import audit

    def broken() -> list[str]:
        raise RuntimeError("table is missing")

    register_check("test.broken", broken)
    try:
        code, out = _audit_command()
    finally:
        audit._CHECKS.pop("test.broken", None)
    assert code == 1 and "test.broken: check crashed: RuntimeError: table is missing" in out
