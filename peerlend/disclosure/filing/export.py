"""The filing of one month: loan, note and repayment records as of its month-end, as signed JSON Lines.

Line 1 is a header, then one line per loan (with its installments), note and repayment, and the last
line is the signature: HMAC-SHA256, keyed by ``settings.PEERLEND_FILING_KEY``, over the SHA-256 of
every byte before it. Members appear by a keyed pseudonym (never a name, ID number or phone), so the
file can travel; the regulator's console resolves people when it must. Every figure of the monthly
snapshot can be recomputed from these records (tests/disclosure/monthly/test_filing.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q

from peerlend.disclosure.models_monthly import RelatedParty
from peerlend.disclosure.monthly.figures import FINAL, LENDER_NOTES, lent_loans
from peerlend.disclosure.monthly.periods import month_end
from peerlend.lending.models import Note
from peerlend.servicing.models import Installment, ServicingPayment

SCHEMA = "peerlend-filing/1"
ALGORITHM = "HMAC-SHA256"
DEV_KEY = "peerlend-dev-filing-key-not-for-production"


def _key() -> bytes:
    return str(getattr(settings, "PEERLEND_FILING_KEY", "") or DEV_KEY).encode("utf-8")


def pseudonym(kind: str, pk: int) -> str:
    """A stable, keyed reference to a member: the same member always gets the same one."""
    return hmac.new(_key(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:20]


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def _iso(day: date | None, as_of: date) -> str | None:
    return day.isoformat() if day is not None and day <= as_of else None


def _loan_records(as_of: date) -> Iterator[dict[str, Any]]:
    related = set(RelatedParty.objects.filter(since__lte=as_of).filter(
        Q(until__isnull=True) | Q(until__gt=as_of)).values_list("user_id", flat=True))
    loans = lent_loans(as_of).order_by("pk")
    schedule: dict[int, list[dict[str, Any]]] = {}
    for inst in Installment.objects.filter(loan__in=loans.values("pk")).order_by("loan_id", "number").values(
            "loan_id", "number", "due_date", "principal_minor", "interest_minor", "paid_on"):
        schedule.setdefault(inst["loan_id"], []).append({
            "number": inst["number"], "due_date": inst["due_date"].isoformat(),
            "principal_minor": inst["principal_minor"], "interest_minor": inst["interest_minor"],
            "paid_on": _iso(inst["paid_on"], as_of)})
    for loan in loans.values("pk", "borrower_id", "borrower_type", "grade", "amount_minor", "funded_minor",
                             "term_months", "annual_rate", "repayment_method", "purpose", "channel", "listed_on",
                             "disbursed_on", "status", "closed_on"):
        closed = loan["closed_on"] is not None and loan["closed_on"] <= as_of and loan["status"] in FINAL
        yield {
            "record": "loan", "loan_id": loan["pk"], "borrower": pseudonym("member", loan["borrower_id"]),
            "borrower_type": loan["borrower_type"], "related_party": loan["borrower_id"] in related,
            "grade": loan["grade"], "amount_minor": loan["amount_minor"], "funded_minor": loan["funded_minor"],
            "term_months": loan["term_months"], "annual_rate": str(loan["annual_rate"] or ""),
            "repayment_method": loan["repayment_method"], "purpose": loan["purpose"], "channel": loan["channel"],
            "listed_on": _iso(loan["listed_on"], as_of), "disbursed_on": loan["disbursed_on"].isoformat(),
            "closed_on": loan["closed_on"].isoformat() if closed else None,
            "final_status": loan["status"] if closed else None,
            "installments": schedule.get(loan["pk"], []),
        }


def _note_records(as_of: date) -> Iterator[dict[str, Any]]:
    notes = Note.objects.filter(loan__in=lent_loans(as_of).values("pk"), status__in=LENDER_NOTES).filter(
        Q(placed_on__isnull=True) | Q(placed_on__lte=as_of)).order_by("pk")
    for note in notes.values("pk", "loan_id", "investor_id", "amount_minor", "placed_on", "auto_invested"):
        yield {"record": "note", "note_id": note["pk"], "loan_id": note["loan_id"],
               "investor": pseudonym("member", note["investor_id"]), "amount_minor": note["amount_minor"],
               "placed_on": _iso(note["placed_on"], as_of), "auto_invested": note["auto_invested"]}


def _repayment_records(as_of: date) -> Iterator[dict[str, Any]]:
    rows = ServicingPayment.objects.filter(business_date__lte=as_of).order_by("pk").values(
        "pk", "loan_id", "kind", "business_date", "amount_minor", "principal_to_notes_minor",
        "interest_to_notes_minor", "service_fee_minor", "late_fee_minor", "to_reserve_minor")
    for p in rows:
        yield {"record": "repayment", "repayment_id": p.pop("pk"), **p, "business_date": p["business_date"].isoformat()}


def filing_lines(month: date) -> Iterator[bytes]:
    """Every line of the month's filing, the signature last."""
    as_of = month_end(month)
    digest = hashlib.sha256()
    header = {"record": "header", "schema": SCHEMA, "month": month.strftime("%Y-%m"), "as_of": as_of.isoformat(),
              "currency": str(settings.PEERLEND.get("CURRENCY", "CNY"))}
    for part in (iter([header]), _loan_records(as_of), _note_records(as_of), _repayment_records(as_of)):
        for record in part:
            line = _line(record)
            digest.update(line)
            yield line
    sha = digest.hexdigest()
    yield _line({"record": "signature", "algorithm": ALGORITHM, "sha256": sha,
                 "signature": hmac.new(_key(), sha.encode("ascii"), hashlib.sha256).hexdigest()})


def verify(data: bytes) -> bool:
    """True when the last line signs every byte before it with this platform's key."""
    body, _sep, last = data.rstrip(b"\n").rpartition(b"\n")
    try:
        sig = json.loads(last)
    except ValueError:
        return False
    body += b"\n"
    sha = hashlib.sha256(body).hexdigest()
    expected = hmac.new(_key(), sha.encode("ascii"), hashlib.sha256).hexdigest()
    return (sig.get("record") == "signature" and sig.get("sha256") == sha
            and hmac.compare_digest(str(sig.get("signature", "")), expected))
