"""The monthly figures recomputed from the raw tables with hand-written SQL (no ORM, no shared code).

Written apart from ``peerlend.disclosure.monthly.figures`` on purpose: the test compares the two.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import connection

FINAL = ("fully_paid", "prepaid", "charged_off")
NOTES = ("active", "paid", "charged_off", "sold")


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def recompute(m: date) -> dict[str, int]:
    loans = _rows(
        "SELECT id, borrower_id, funded_minor, listed_on, disbursed_on, status, closed_on FROM lending_loan "
        "WHERE disbursed_on IS NOT NULL AND disbursed_on <= %s", [m])
    paid = dict(_rows(
        "SELECT loan_id, SUM(principal_to_notes_minor) FROM servicing_servicingpayment "
        "WHERE business_date <= %s AND kind <> 'recovery' GROUP BY loan_id", [m]))
    out: dict[int, int] = {}
    borrower_of: dict[int, int] = {}
    funded: dict[int, int] = {}
    for pk, borrower, amount, _listed, _disbursed, status, closed in loans:
        funded[pk] = amount
        if status in FINAL and closed is not None and _day(closed) <= m:
            continue
        out[pk] = amount - int(paid.get(pk) or 0)
        borrower_of[pk] = borrower
    late_since: dict[int, date] = {}
    for loan_id, due in _rows(
            "SELECT loan_id, MIN(due_date) FROM servicing_installment WHERE due_date < %s "
            "AND (paid_on IS NULL OR paid_on > %s) GROUP BY loan_id", [m, m]):
        late_since[loan_id] = _day(due)
    interest = _rows(
        "SELECT loan_id, SUM(interest_minor) FROM servicing_installment WHERE paid_on IS NULL OR paid_on > %s "
        "GROUP BY loan_id", [m])
    related = {u for (u,) in _rows(
        "SELECT user_id FROM disclosure_relatedparty WHERE since <= %s AND (until IS NULL OR until > %s)", [m, m])}
    notes = _rows(
        "SELECT loan_id, investor_id, amount_minor FROM lending_note WHERE status IN (%s, %s, %s, %s) "
        "AND (placed_on IS NULL OR placed_on <= %s)", [*NOTES, m])
    (comp_sum, comp_n), = _rows(
        "SELECT COALESCE(SUM(p.amount_minor), 0), COUNT(DISTINCT e.id) FROM ledger_posting p "
        "JOIN ledger_journalentry e ON e.id = p.entry_id JOIN ledger_ledgeraccount a ON a.id = p.account_id "
        "WHERE e.kind = 'compensation' AND e.business_date <= %s AND a.code = 'platform:risk_reserve'", [m])

    per_borrower: dict[int, int] = defaultdict(int)
    for pk, amount in out.items():
        per_borrower[borrower_of[pk]] += amount
    per_lender: dict[int, int] = defaultdict(int)
    lenders_all: set[int] = set()
    for loan_id, investor, amount in notes:
        if loan_id in funded:
            lenders_all.add(investor)
        if loan_id in out:
            per_lender[investor] += out[loan_id] * amount // funded[loan_id]
    top_b = sorted(per_borrower.values(), reverse=True)
    top_l = sorted(per_lender.values(), reverse=True)
    overdue = [pk for pk in out if pk in late_since]
    overdue_90 = [pk for pk in overdue if late_since[pk] < m - timedelta(days=90)]
    outstanding = sum(out.values())
    fund = [(_day(day) - _day(listed)).days for _pk, _b, _a, listed, day, _s, _c in loans if listed is not None]
    return {
        "lent_cumulative_minor": sum(funded.values()), "lent_cumulative_count": len(funded),
        "outstanding_minor": outstanding, "outstanding_count": len(out),
        "interest_outstanding_minor": sum(int(s) for loan_id, s in interest if loan_id in out),
        "borrowers_cumulative": len({b for _pk, b, *_rest in loans}), "borrowers_current": len(per_borrower),
        "lenders_cumulative": len(lenders_all), "lenders_current": len(per_lender),
        "top10_borrowers_minor": sum(top_b[:10]), "largest_borrower_minor": top_b[0] if top_b else 0,
        "top10_lenders_minor": sum(top_l[:10]), "largest_lender_minor": top_l[0] if top_l else 0,
        "related_party_minor": sum(a for pk, a in out.items() if borrower_of[pk] in related),
        "related_party_count": sum(1 for pk in out if borrower_of[pk] in related),
        "overdue_minor": sum(out[pk] for pk in overdue), "overdue_count": len(overdue),
        "overdue_90_minor": sum(out[pk] for pk in overdue_90), "overdue_90_count": len(overdue_90),
        "compensation_minor": -int(comp_sum), "compensation_count": int(comp_n),
        "avg_loan_minor": sum(funded.values()) // len(funded) if funded else 0,
        "per_borrower_minor": outstanding // len(per_borrower) if per_borrower else 0,
        "per_lender_minor": outstanding // len(per_lender) if per_lender else 0,
        "fund_days_total": sum(fund), "fund_loans": len(fund),
    }
