"""The monthly figures recomputed from the filed JSON Lines records alone (what a regulator can do)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any


def figures_from_filing(data: bytes) -> dict[str, int]:
    records = [json.loads(line) for line in data.splitlines()]
    header = records[0]
    m = date.fromisoformat(header["as_of"])
    loans = [r for r in records if r["record"] == "loan"]
    notes = [r for r in records if r["record"] == "note"]
    pays = [r for r in records if r["record"] == "repayment"]
    paid: dict[int, int] = defaultdict(int)
    for p in pays:
        if p["kind"] != "recovery":
            paid[p["loan_id"]] += p["principal_to_notes_minor"]
    funded = {r["loan_id"]: r["funded_minor"] for r in loans}
    open_ = {r["loan_id"]: r for r in loans if r["final_status"] is None}
    out = {pk: r["funded_minor"] - paid[pk] for pk, r in open_.items()}

    def late_since(r: dict[str, Any]) -> date | None:
        dues = [date.fromisoformat(i["due_date"]) for i in r["installments"]
                if date.fromisoformat(i["due_date"]) < m and i["paid_on"] is None]
        return min(dues) if dues else None

    per_b: dict[str, int] = defaultdict(int)
    for pk, r in open_.items():
        per_b[r["borrower"]] += out[pk]
    per_l: dict[str, int] = defaultdict(int)
    for n in notes:
        if n["loan_id"] in out:
            per_l[n["investor"]] += out[n["loan_id"]] * n["amount_minor"] // funded[n["loan_id"]]
    tb, tl = sorted(per_b.values(), reverse=True), sorted(per_l.values(), reverse=True)
    late = {pk: late_since(r) for pk, r in open_.items()}
    overdue = [pk for pk, d in late.items() if d is not None]
    over90 = [pk for pk in overdue if late[pk] < m - timedelta(days=90)]  # type: ignore[operator]
    comp = [p for p in pays if p["kind"] == "compensation"]
    outstanding = sum(out.values())
    fund = [(date.fromisoformat(r["disbursed_on"]) - date.fromisoformat(r["listed_on"])).days
            for r in loans if r["listed_on"]]
    lent = sum(funded.values())
    return {
        "lent_cumulative_minor": lent, "lent_cumulative_count": len(loans),
        "outstanding_minor": outstanding, "outstanding_count": len(out),
        "interest_outstanding_minor": sum(i["interest_minor"] for r in open_.values() for i in r["installments"]
                                          if i["paid_on"] is None),
        "borrowers_cumulative": len({r["borrower"] for r in loans}), "borrowers_current": len(per_b),
        "lenders_cumulative": len({n["investor"] for n in notes}), "lenders_current": len(per_l),
        "top10_borrowers_minor": sum(tb[:10]), "largest_borrower_minor": tb[0] if tb else 0,
        "top10_lenders_minor": sum(tl[:10]), "largest_lender_minor": tl[0] if tl else 0,
        "related_party_minor": sum(out[pk] for pk, r in open_.items() if r["related_party"]),
        "related_party_count": sum(1 for r in open_.values() if r["related_party"]),
        "overdue_minor": sum(out[pk] for pk in overdue), "overdue_count": len(overdue),
        "overdue_90_minor": sum(out[pk] for pk in over90), "overdue_90_count": len(over90),
        "compensation_minor": sum(p["amount_minor"] for p in comp), "compensation_count": len(comp),
        "avg_loan_minor": lent // len(loans) if loans else 0,
        "per_borrower_minor": outstanding // len(per_b) if per_b else 0,
        "per_lender_minor": outstanding // len(per_l) if per_l else 0,
        "fund_days_total": sum(fund), "fund_loans": len(fund),
    }
