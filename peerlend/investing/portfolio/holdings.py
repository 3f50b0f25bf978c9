"""One row per note the investor holds or held: its loan's facts, status bucket, flows and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerlend.domain.portfolio_returns import NoteFlow, bucket_for, expected_loss_minor, note_months
from peerlend.domain.returns import NoteMonth
from peerlend.domain.schedule import daily_interest_minor
from peerlend.investing.portfolio.history import DISBURSED, note_flows
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import Installment, InstallmentStatus

# The status a note is shown and filtered by: the note's own for closed notes, the loss bucket
# (domain.portfolio_returns.LOSS_BUCKETS, by the loan's days past due) for running ones.
STATUS_LABELS: dict[str, Promise] = {
    "funding": _("Funding (cash frozen)"),
    "current": _("Current"),
    "grace": _("In grace period (1-15 days)"),
    "late_16_30": _("Late (16-30 days)"),
    "late_31_120": _("Late (31-120 days)"),
    "default": _("Default (over 120 days)"),
    "fully_paid": _("Fully paid"),
    "charged_off": _("Charged off"),
    "refunded": _("Refunded"),
    "sold": _("Sold"),
}
_CLOSED = {NoteStatus.PENDING: "funding", NoteStatus.PAID: "fully_paid", NoteStatus.CHARGED_OFF: "charged_off",
           NoteStatus.REFUNDED: "refunded", NoteStatus.SOLD: "sold"}


@dataclass(frozen=True)
class Holding:
    """One note, its loan's facts and its figures in minor units as of ``today``."""

    note_id: int
    loan_id: int
    loan_title: str
    grade: str
    term_months: int
    annual_rate: Decimal | None
    vintage: str  # "YYYY-MM": the month the loan was issued (disbursed), or the note bought while funding
    status: str  # a key of STATUS_LABELS
    days_past_due: int
    auto_invested: bool
    placed_on: date | None
    amount_minor: int
    principal_outstanding_minor: int
    principal_received_minor: int
    interest_received_minor: int
    fees_paid_minor: int
    charged_off_minor: int  # written off, net of principal recovered since (the realised loss)
    accrued_interest_minor: int
    expected_loss_minor: int
    flows: tuple[NoteFlow, ...]
    months: tuple[NoteMonth, ...]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def disbursed(self) -> bool:
        return self.status not in ("funding", "refunded")

    @property
    def value_minor(self) -> int:
        """What the note is worth today: outstanding principal less its expected loss, plus accrued interest."""
        return self.principal_outstanding_minor - self.expected_loss_minor + self.accrued_interest_minor


def _days_past_due(loan_ids: list[int], today: date) -> dict[int, int]:
    """Loan id -> days since its oldest installment due before today and still unpaid (``domain.repayment``)."""
    rows = (Installment.objects.filter(loan_id__in=loan_ids, due_date__lt=today)
            .exclude(status__in=[InstallmentStatus.PAID, InstallmentStatus.WRITTEN_OFF])
            .values("loan_id").annotate(oldest=Min("due_date")))
    return {r["loan_id"]: (today - r["oldest"]).days for r in rows}


def _last_due(loan_ids: list[int], today: date) -> dict[int, date]:
    rows = (Installment.objects.filter(loan_id__in=loan_ids, due_date__lte=today)
            .values("loan_id").annotate(last=Max("due_date")))
    return {r["loan_id"]: r["last"] for r in rows}


def _status(note: Note, days: int) -> str:
    if note.status != NoteStatus.ACTIVE:
        return _CLOSED[note.status]
    return bucket_for(days).code


def _accrued(note: Note, loan: Loan, status: str, last_due: date | None, today: date) -> int:
    """Interest earned since the last due date on a current note: actual/365, as a prepayment accrues it."""
    if status != "current" or not note.principal_outstanding_minor or loan.annual_rate is None:
        return 0
    since = last_due or loan.disbursed_on  # the last due date on or before today, else the issue date
    if since is None or since >= today:
        return 0
    return daily_interest_minor(note.principal_outstanding_minor, loan.annual_rate, (today - since).days)


def holdings_of(investor_id: int, today: date) -> list[Holding]:
    """Every note of the investor, newest first, with its figures as of ``today``."""
    notes = list(Note.objects.filter(investor_id=investor_id).select_related("loan").order_by("-pk"))
    loans = {n.loan_id: n.loan for n in notes}
    served = [loan for loan in loans.values() if loan.disbursed_on is not None]
    flows = note_flows(served)
    ids = list(loans)
    days = _days_past_due(ids, today)
    last_due = _last_due(ids, today)
    out: list[Holding] = []
    for note in notes:
        loan = loans[note.loan_id]
        dpd = days.get(loan.pk, 0) if note.status == NoteStatus.ACTIVE else 0
        status = _status(note, dpd)
        mine = tuple(flows.get(note.pk, ()))
        months: tuple[NoteMonth, ...] = ()
        if note.status in DISBURSED and loan.disbursed_on is not None:
            months = tuple(note_months(note.amount_minor, loan.disbursed_on, mine, today))
        issued = loan.disbursed_on or note.placed_on or today
        out.append(Holding(
            note_id=note.pk, loan_id=loan.pk, loan_title=loan.headline, grade=loan.grade, term_months=loan.term_months,
            annual_rate=loan.annual_rate, vintage=f"{issued.year:04d}-{issued.month:02d}", status=status,
            days_past_due=dpd, auto_invested=note.auto_invested,
            placed_on=note.placed_on or loan.disbursed_on,  # bulk-created notes may not record their day
            amount_minor=note.amount_minor, principal_outstanding_minor=note.principal_outstanding_minor,
            principal_received_minor=note.principal_received_minor,
            interest_received_minor=note.interest_received_minor, fees_paid_minor=note.fees_paid_minor,
            charged_off_minor=note.charged_off_minor,
            accrued_interest_minor=_accrued(note, loan, status, last_due.get(loan.pk), today),
            expected_loss_minor=expected_loss_minor(note.principal_outstanding_minor, dpd)
            if note.status == NoteStatus.ACTIVE else 0,
            flows=mine, months=months,
        ))
    return out
