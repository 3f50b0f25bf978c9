"""Ledger invariants (DESIGN.md) as named checks; ``peerlend audit`` runs them all.

Other contexts add theirs from ``AppConfig.ready``: ``register_check("lending.notes_sum", fn)``
where ``fn()`` returns a list of violation messages (empty when the books are right).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger("peerlend.ledger")

Check = Callable[[], list[str]]
_CHECKS: dict[str, Check] = {}


@dataclass(frozen=True)
class Violation:
    check: str
    message: str


def register_check(name: str, fn: Check) -> None:
    """Add (or replace, by name) an invariant check."""
    _CHECKS[name] = fn


def registered_checks() -> dict[str, Check]:
    return dict(_CHECKS)


def run_audit() -> list[Violation]:
    """Run every registered check; a check that cannot run is itself a violation, never "clean"."""
    violations: list[Violation] = []
    for name, fn in _CHECKS.items():
        try:
            messages = fn()
        except Exception as exc:
            logger.exception("audit check %s crashed", name)
            messages = [f"check crashed: {type(exc).__name__}: {exc}"]
        else:
            if not isinstance(messages, (list, tuple)) or not all(isinstance(m, str) for m in messages):
                # A check that answers something else did not check anything we can trust.
                logger.error("audit check %s returned %r, not a list of messages", name, messages)
                messages = [f"check crashed: it returned {type(messages).__name__}, not a list of messages"]
        violations.extend(Violation(name, m) for m in messages)
    return violations


def _rows(sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def check_entries_balance() -> list[str]:
    rows = _rows(
        """SELECT p.entry_id, a.currency, SUM(p.amount_minor)
           FROM ledger_posting p
           JOIN ledger_journalentry e ON e.id = p.entry_id
           JOIN ledger_ledgeraccount a ON a.id = p.account_id
           WHERE e.posted
           GROUP BY p.entry_id, a.currency
           HAVING SUM(p.amount_minor) <> 0
           ORDER BY p.entry_id"""
    )
    messages = [f"entry {eid} sums to {total} {cur}, not zero" for eid, cur, total in rows]
    short = _rows(
        """SELECT e.id, COUNT(p.id) FROM ledger_journalentry e
           LEFT JOIN ledger_posting p ON p.entry_id = e.id
           WHERE e.posted GROUP BY e.id HAVING COUNT(p.id) < 2 ORDER BY e.id"""
    )
    messages += [f"entry {eid} is posted with {n} posting(s); an entry needs at least two" for eid, n in short]
    return messages


def check_no_unposted_entries() -> list[str]:
    rows = _rows("SELECT id FROM ledger_journalentry WHERE NOT posted ORDER BY id")
    return [f"entry {eid} was left unposted" for (eid,) in rows]


def check_postings_non_zero() -> list[str]:
    rows = _rows("SELECT id, entry_id FROM ledger_posting WHERE amount_minor = 0 ORDER BY id")
    return [f"posting {pid} of entry {eid} is zero" for pid, eid in rows]


def check_balances_match_postings() -> list[str]:
    rows = _rows(
        """SELECT a.code, a.balance_minor, COALESCE(s.total, 0)
           FROM ledger_ledgeraccount a
           LEFT JOIN (SELECT account_id, SUM(amount_minor) AS total FROM ledger_posting GROUP BY account_id) s
             ON s.account_id = a.id
           WHERE a.balance_minor <> COALESCE(s.total, 0)
           ORDER BY a.id"""
    )
    return [f"account {code} balance {bal} != sum of postings {total}" for code, bal, total in rows]


def check_no_negative_balances() -> list[str]:
    rows = _rows(
        """SELECT code, balance_minor FROM ledger_ledgeraccount
           WHERE balance_minor < 0 AND (kind IN ('available', 'frozen') OR code = 'platform:risk_reserve')
           ORDER BY id"""
    )
    return [f"account {code} is negative: {bal}" for code, bal in rows]


def check_custody_mirror() -> list[str]:
    """custody_bank (an asset, stored negative) must equal the sum of all custody sub-accounts.

    The sub-accounts are every other account (users' available/frozen, the platform's own
    fee income, risk reserve, suspense, money in transit at the gateway, expenses paid), so
    -custody_bank == sum(other balances), computed from the stored balances per currency.
    """
    rows = _rows(
        """SELECT currency,
                  SUM(CASE WHEN code = 'platform:custody_bank' THEN balance_minor ELSE 0 END),
                  SUM(CASE WHEN code <> 'platform:custody_bank' THEN balance_minor ELSE 0 END)
           FROM ledger_ledgeraccount GROUP BY currency ORDER BY currency"""
    )
    return [
        f"custody_bank mirror {-int(custody)} {cur} != sum of custody sub-accounts {int(others)}"
        for cur, custody, others in rows
        if -int(custody or 0) != int(others or 0)
    ]


def check_amounts_are_integers_in_range() -> list[str]:
    """Balances and postings are integers within +-MAX_BALANCE_MINOR (the database guards refuse others since
    ledger migration 0005; this finds a value stored before, e.g. a SQLite sum that overflowed into a float)."""
    from peerlend.domain.money import MAX_BALANCE_MINOR

    bad_type = "typeof({col}) <> 'integer' OR " if connection.vendor == "sqlite" else ""
    messages: list[str] = []
    for table, label, col in (("ledger_ledgeraccount", "account", "balance_minor"),
                              ("ledger_posting", "posting", "amount_minor")):
        cond = bad_type.format(col=col) + f"{col} < %s OR {col} > %s"
        rows = _rows(f"SELECT id, {col} FROM {table} WHERE {cond} ORDER BY id",  # noqa: S608 - our identifiers
                     (-MAX_BALANCE_MINOR, MAX_BALANCE_MINOR))
        messages += [f"{label} {pk} holds {value!r}: not an integer within +-{MAX_BALANCE_MINOR}" for pk, value in rows]
    return messages


def check_compliance_audit_chain() -> list[str]:
    """The hash chain of the compliance audit log is intact.

    No fallback: if the verifier cannot be imported or run, the audit reports the crash
    (``run_audit``) instead of passing a chain it never looked at.
    """
    from peerlend.compliance.selectors import verify_audit_chain

    return [str(message) for message in verify_audit_chain()]


def register_builtin_checks() -> None:
    register_check("ledger.entries_balance", check_entries_balance)
    register_check("ledger.no_unposted_entries", check_no_unposted_entries)
    register_check("ledger.postings_non_zero", check_postings_non_zero)
    register_check("ledger.balances_match_postings", check_balances_match_postings)
    register_check("ledger.no_negative_balances", check_no_negative_balances)
    register_check("ledger.custody_mirror", check_custody_mirror)
    register_check("ledger.amounts_in_range", check_amounts_are_integers_in_range)
    register_check("compliance.audit_chain", check_compliance_audit_chain)


def totals() -> tuple[int, int, int]:
    """(entries, postings, accounts) for the audit summary line."""
    (row,) = _rows(
        """SELECT (SELECT COUNT(*) FROM ledger_journalentry), (SELECT COUNT(*) FROM ledger_posting),
                  (SELECT COUNT(*) FROM ledger_ledgeraccount)"""
    )
    return int(row[0]), int(row[1]), int(row[2])  # type: ignore[call-overload]
