"""RFM scores of members, computed set-based from notes and repayments.

Activity is an investment (a note that was not refunded, on the day it was placed) or a repayment
a borrower made (a servicing payment they paid). Per member, the database aggregates:

- recency: the last activity day (more recent scores higher);
- frequency: the number of activities;
- monetary: the sum of their amounts (minor units).

Each is scored 1-5 by quintile among the members with any activity: score = 1 + 5 * (number of
members with a strictly smaller value) // members. Equal values get equal scores, so the result is
deterministic. Members with no activity have no RFM score (they are in no RFM segment).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Sum

from peerlend.lending.models import Note, NoteStatus
from peerlend.servicing.models import PaymentKind, ServicingPayment

# Payments a borrower makes themselves (a compensation or recovery is not the borrower's activity).
BORROWER_PAYMENTS = (PaymentKind.REPAYMENT, PaymentKind.AUTO_DEBIT, PaymentKind.PREPAYMENT,
                     PaymentKind.PARTIAL_PREPAYMENT)


@dataclass(frozen=True)
class Rfm:
    user_id: int
    last_day: date
    frequency: int
    monetary_minor: int
    r: int = 0
    f: int = 0
    m: int = 0


def _activity() -> dict[int, tuple[date, int, int]]:
    """user id -> (last day, count, amount) over investments and repayments (two aggregate queries)."""
    out: dict[int, tuple[date, int, int]] = {}
    notes = (Note.objects.exclude(status=NoteStatus.REFUNDED).exclude(placed_on=None).values("investor_id")
             .annotate(last=Max("placed_on"), n=Count("id"), total=Sum("amount_minor")))
    pays = (ServicingPayment.objects.filter(kind__in=BORROWER_PAYMENTS).exclude(payer=None).values("payer_id")
            .annotate(last=Max("business_date"), n=Count("id"), total=Sum("amount_minor")))
    rows = [(r["investor_id"], r) for r in notes] + [(r["payer_id"], r) for r in pays]
    for user_id, row in rows:
        last, n, total = row["last"], row["n"], int(row["total"] or 0)
        if user_id in out:
            before = out[user_id]
            out[user_id] = (max(before[0], last), before[1] + n, before[2] + total)
        else:
            out[user_id] = (last, n, total)
    return out


def _quintile(sorted_values: list[int], value: int) -> int:
    return 1 + bisect_left(sorted_values, value) * 5 // len(sorted_values)


def rfm_scores() -> dict[int, Rfm]:
    """Every active member's RFM values and 1-5 scores."""
    activity = _activity()
    if not activity:
        return {}
    days = sorted(v[0].toordinal() for v in activity.values())
    counts = sorted(v[1] for v in activity.values())
    amounts = sorted(v[2] for v in activity.values())
    return {
        uid: Rfm(uid, last, n, total, r=_quintile(days, last.toordinal()), f=_quintile(counts, n),
                 m=_quintile(amounts, total))
        for uid, (last, n, total) in activity.items()
    }


def champions() -> list[int]:
    """Recent, frequent and large: every score 4 or 5."""
    return sorted(u for u, s in rfm_scores().items() if s.r >= 4 and s.f >= 4 and s.m >= 4)


def at_risk() -> list[int]:
    """Were active often (frequency 3-5) but not recently (recency 1-2)."""
    return sorted(u for u, s in rfm_scores().items() if s.r <= 2 and s.f >= 3)
