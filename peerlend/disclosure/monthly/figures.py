"""The monthly operating figures as of a month-end, computed with set-based SQL (ORM aggregates).

The one exception is the lenders' shares: one streamed pass over the notes of open loans (see
``_lender_shares``); bench/disclosure.py times every group of figures.

Everything is reconstructed from business dates stored on rows, so the figures of a past month do
not move with later activity (the snapshot is stored anyway; this is what makes a late run right):

* a loan is *lent* by month-end ``M`` when ``disbursed_on <= M`` (amount: ``funded_minor``);
* it is *closed* at ``M`` when its status is final (fully paid, prepaid, charged off) and
  ``closed_on <= M``; otherwise it is *open* (outstanding) at ``M``;
* its outstanding principal at ``M`` is ``funded_minor`` less the principal paid to its notes by
  servicing payments with ``business_date <= M`` (repayments, prepayments and compensation;
  recoveries come after a charge-off only): the principal owed to lenders;
* it is *overdue* at ``M`` when an installment fell due before ``M`` and was not fully paid by
  ``M`` (``paid_on`` empty or later); more than 90 days when such an installment is due before
  ``M - 90 days``. The overdue amount is the outstanding principal of overdue loans (剩余本金);
* compensation comes from the ledger: entries of kind ``compensation`` dated by ``M``, the
  amount being what left the risk reserve.

Taken "as of the run" (documented in docs/data-filing.md): interest outstanding reads the current
schedule rows (a prepayment after ``M`` re-amortises them), lenders' shares are the pro-rata part
of each loan's outstanding principal (repayments are split pro-rata over holders, within one minor
unit), and the fee schedule is the one in force when the snapshot is taken.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from peerlend.disclosure.models_monthly import RelatedParty
from peerlend.domain.lifecycle import LoanStatus
from peerlend.ledger.models import Posting
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import Installment, PaymentKind, ServicingPayment

FINAL = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID, LoanStatus.CHARGED_OFF)
LENDER_NOTES = (NoteStatus.ACTIVE, NoteStatus.PAID, NoteStatus.CHARGED_OFF, NoteStatus.SOLD)
# The keys of a snapshot's figures, in the order pages show them (all integers: minor units or counts).
FIGURES = (
    "lent_cumulative_minor", "lent_cumulative_count", "outstanding_minor", "outstanding_count",
    "interest_outstanding_minor", "borrowers_cumulative", "borrowers_current", "lenders_cumulative",
    "lenders_current", "top10_borrowers_minor", "largest_borrower_minor", "top10_lenders_minor",
    "largest_lender_minor", "related_party_minor", "related_party_count", "overdue_minor", "overdue_count",
    "overdue_90_minor", "overdue_90_count", "compensation_minor", "compensation_count", "avg_loan_minor",
    "per_borrower_minor", "per_lender_minor", "fund_days_total", "fund_loans",
)

# Figures that read rows a later event may rewrite (see above): compared only on the day of the run.
AS_OF_RUN = frozenset({"interest_outstanding_minor"})


def lent_loans(as_of: date) -> QuerySet[Loan]:
    return Loan.objects.filter(disbursed_on__isnull=False, disbursed_on__lte=as_of)


def _paid_by(as_of: date, loan_ref: str) -> Subquery:
    """Principal paid to the notes of the loan ``loan_ref`` points at, by payments dated ``<= as_of``."""
    paid = (ServicingPayment.objects.filter(loan=OuterRef(loan_ref), business_date__lte=as_of)
            .exclude(kind=PaymentKind.RECOVERY).values("loan")
            .annotate(s=Sum("principal_to_notes_minor")).values("s"))
    return Subquery(paid)


def open_loans(as_of: date) -> QuerySet[Loan]:
    """Loans outstanding at ``as_of``, each annotated with ``out`` (principal owed to lenders then)."""
    return (lent_loans(as_of).exclude(status__in=FINAL, closed_on__lte=as_of)
            .annotate(paid=Coalesce(_paid_by(as_of, "pk"), Value(0)))
            .annotate(out=F("funded_minor") - F("paid")))


def _overdue(as_of: date, days: int = 0) -> Exists:
    unpaid = Installment.objects.filter(loan=OuterRef("pk"), due_date__lt=as_of - timedelta(days=days)).filter(
        Q(paid_on__isnull=True) | Q(paid_on__gt=as_of))
    return Exists(unpaid)


def _sum_count(qs: QuerySet[Loan]) -> tuple[int, int]:
    row = qs.aggregate(s=Coalesce(Sum("out"), Value(0)), n=Count("pk"))
    return int(row["s"]), int(row["n"])


def _top(qs: QuerySet[Any], key: str, amount: str) -> tuple[int, int]:
    """(sum of the 10 largest, the largest) of ``amount`` summed per ``key``."""
    rows = list(qs.values(key).annotate(t=Sum(amount)).order_by("-t", key).values_list("t", flat=True)[:10])
    return int(sum(rows)), int(rows[0]) if rows else 0


def _related(as_of: date) -> Exists:
    return Exists(RelatedParty.objects.filter(user=OuterRef("borrower"), since__lte=as_of).filter(
        Q(until__isnull=True) | Q(until__gt=as_of)))


def _lender_notes(as_of: date) -> QuerySet[Note]:
    """Notes held by lenders at ``as_of`` on loans lent by then (bought by then)."""
    return Note.objects.filter(status__in=LENDER_NOTES, loan__disbursed_on__lte=as_of).filter(
        Q(placed_on__isnull=True) | Q(placed_on__lte=as_of))


def _lender_shares(opened: QuerySet[Loan], as_of: date) -> dict[int, int]:
    """Per investor, the sum over their notes on open loans of the note's pro-rata part (floor) of its
    loan's outstanding principal. One pass over the notes, streamed: a correlated subquery per note
    cost ~30 s at 1M notes (bench/disclosure.py), this a few seconds."""
    loans = {pk: (out, funded) for pk, out, funded in opened.values_list("pk", "out", "funded_minor")}
    shares: dict[int, int] = defaultdict(int)
    rows = _lender_notes(as_of).filter(loan__in=opened.values("pk")).values_list(
        "loan_id", "investor_id", "amount_minor")
    for loan_id, investor, amount in rows.iterator(chunk_size=20_000):
        out, funded = loans[loan_id]
        shares[investor] += out * amount // funded
    return shares


def _compensation(as_of: date) -> tuple[int, int]:
    rows = Posting.objects.filter(entry__kind="compensation", entry__business_date__lte=as_of,
                                  account__code="platform:risk_reserve")
    agg = rows.aggregate(s=Coalesce(Sum("amount_minor"), Value(0)), n=Count("entry", distinct=True))
    return -int(agg["s"]), int(agg["n"])


def _funding_days(as_of: date) -> tuple[int, int]:
    """Days from listing to disbursement, summed over loans lent by ``as_of`` (grouped by date pairs)."""
    pairs = (lent_loans(as_of).filter(listed_on__isnull=False).values("listed_on", "disbursed_on")
             .annotate(n=Count("pk")).order_by())
    total = count = 0
    for row in pairs:
        total += (row["disbursed_on"] - row["listed_on"]).days * row["n"]
        count += row["n"]
    return total, count


def compute(as_of: date, timings: dict[str, float] | None = None) -> dict[str, int]:
    """Every figure as of the month-end ``as_of`` (see the module docstring for the definitions).

    ``timings``, when given, receives the seconds each group of figures took (bench/disclosure.py).
    """
    f: dict[str, int] = {}
    clock = _Timer(timings)
    with clock("lent"):
        lent = lent_loans(as_of).aggregate(s=Coalesce(Sum("funded_minor"), Value(0)), n=Count("pk"),
                                           b=Count("borrower", distinct=True))
        f["lent_cumulative_minor"], f["lent_cumulative_count"] = int(lent["s"]), int(lent["n"])
        f["borrowers_cumulative"] = int(lent["b"])
    opened = open_loans(as_of)
    with clock("outstanding"):
        f["outstanding_minor"], f["outstanding_count"] = _sum_count(opened)
    with clock("borrowers_current"):
        f["borrowers_current"] = opened.values("borrower").distinct().count()
    with clock("lenders"):
        f["lenders_cumulative"] = _lender_notes(as_of).values("investor").distinct().count()
        shares = _lender_shares(opened, as_of)
        f["lenders_current"] = len(shares)
        top = sorted(shares.values(), reverse=True)[:10]
        f["top10_lenders_minor"], f["largest_lender_minor"] = sum(top), (top[0] if top else 0)
    with clock("interest_outstanding"):
        f["interest_outstanding_minor"] = int(Installment.objects.filter(
            loan__in=opened.values("pk")).filter(Q(paid_on__isnull=True) | Q(paid_on__gt=as_of)).aggregate(
            s=Coalesce(Sum("interest_minor"), Value(0)))["s"])
    with clock("top_borrowers"):
        f["top10_borrowers_minor"], f["largest_borrower_minor"] = _top(opened, "borrower", "out")
    with clock("related_party"):
        f["related_party_minor"], f["related_party_count"] = _sum_count(opened.filter(_related(as_of)))
    with clock("overdue"):
        f["overdue_minor"], f["overdue_count"] = _sum_count(opened.filter(_overdue(as_of)))
    with clock("overdue_90"):
        f["overdue_90_minor"], f["overdue_90_count"] = _sum_count(opened.filter(_overdue(as_of, 90)))
    with clock("compensation"):
        f["compensation_minor"], f["compensation_count"] = _compensation(as_of)
    with clock("time_to_fund"):
        f["fund_days_total"], f["fund_loans"] = _funding_days(as_of)
    f["avg_loan_minor"] = f["lent_cumulative_minor"] // f["lent_cumulative_count"] if lent["n"] else 0
    f["per_borrower_minor"] = f["outstanding_minor"] // f["borrowers_current"] if f["borrowers_current"] else 0
    f["per_lender_minor"] = f["outstanding_minor"] // f["lenders_current"] if f["lenders_current"] else 0
    assert set(f) == set(FIGURES), "every figure is computed"
    return {key: f[key] for key in FIGURES}


class _Timer:
    def __init__(self, sink: dict[str, float] | None) -> None:
        self.sink = sink

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        if self.sink is not None:
            self.sink[name] = time.perf_counter() - started
