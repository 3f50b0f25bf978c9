"""What the status-mix and grade-allocation charts show: counts and principal of an investor's notes.

Status buckets follow Lending Club's note statuses: current, in grace period (1-15 days past due),
late 16-30 days, late 31-120 days, late over 120 days, fully paid, charged off. Days past due are
counted from the oldest installment that is due and not fully paid (``servicing.installments``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from peerlend.accounts.models import User
from peerlend.lending.models import Note, NoteStatus
from peerlend.servicing.installments import days_past_due
from peerlend.servicing.models import Installment, InstallmentStatus

# The buckets in the order the chart shows them; the labels are the chart's (charts.STATUS_LABELS).
BUCKETS = ("current", "grace", "late_16_30", "late_31_120", "late_121", "paid", "charged_off")
# Upper bound (inclusive) of days past due of each late bucket.
LATE_BOUNDS = ((0, "current"), (15, "grace"), (30, "late_16_30"), (120, "late_31_120"))


def bucket_of_days(days: int) -> str:
    for bound, name in LATE_BOUNDS:
        if days <= bound:
            return name
    return "late_121"


@dataclass(frozen=True)
class Slice:
    key: str
    notes: int
    principal_minor: int


def status_mix(investor: User | int, today: date) -> list[Slice]:
    """Notes and principal (outstanding; for paid and charged-off notes their amount) per bucket.

    Empty buckets are left out; an investor without notes gets an empty list.
    """
    investor_id = investor if isinstance(investor, int) else investor.pk
    notes = list(Note.objects.filter(investor_id=investor_id,
                                     status__in=(NoteStatus.ACTIVE, NoteStatus.PAID, NoteStatus.CHARGED_OFF))
                 .only("pk", "loan_id", "status", "amount_minor", "principal_outstanding_minor"))
    active_loans = {n.loan_id for n in notes if n.status == NoteStatus.ACTIVE}
    unpaid: dict[int, list[Installment]] = defaultdict(list)
    for inst in (Installment.objects.filter(loan_id__in=active_loans, due_date__lte=today)
                 .exclude(status__in=(InstallmentStatus.PAID, InstallmentStatus.WRITTEN_OFF))):
        unpaid[inst.loan_id].append(inst)
    count: dict[str, int] = defaultdict(int)
    principal: dict[str, int] = defaultdict(int)
    for n in notes:
        if n.status == NoteStatus.ACTIVE:
            key = bucket_of_days(days_past_due(unpaid[n.loan_id], today))
            amount = n.principal_outstanding_minor
        else:
            key = "paid" if n.status == NoteStatus.PAID else "charged_off"
            amount = n.amount_minor
        count[key] += 1
        principal[key] += amount
    return [Slice(k, count[k], principal[k]) for k in BUCKETS if count[k]]


def allocation_by_grade(investor: User | int) -> list[tuple[str, int]]:
    """(grade, principal outstanding) of the investor's active notes, by grade (A first); none: []."""
    investor_id = investor if isinstance(investor, int) else investor.pk
    by_grade: dict[str, int] = defaultdict(int)
    rows = (Note.objects.filter(investor_id=investor_id, status=NoteStatus.ACTIVE, principal_outstanding_minor__gt=0)
            .values_list("loan__grade", "principal_outstanding_minor"))
    for grade, amount in rows:
        by_grade[grade or "-"] += amount
    return sorted(by_grade.items())

