"""The applications and vintages model monitoring reads (``scoring.monitoring``), read only.

Scoring may not import lending or servicing (layer order), so servicing registers this source from
``AppConfig.ready``. Queries are bounded by a date range (one month, or the reference months).

"Bad" (for calibration): the first day a loan was 90+ days past due on any installment (due date +
90 days, the installment still unpaid then), or the day it was closed as defaulted or charged off,
whichever came first, as known on the report's ``as_of`` date.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Min, OuterRef, Q, Subquery

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan, ReviewDecision
from peerlend.scoring.facts import FACT_NAMES, ApplicationFacts
from peerlend.scoring.monitoring.source import (
    APPROVED,
    PENDING,
    REJECTED,
    MonitoredApplication,
    MonitoringSource,
    register_monitoring_source,
)
from peerlend.servicing.models import Installment

BAD_DAYS_PAST_DUE = 90
_BAD_STATUSES = (LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


_FIELDS = ("pk", "submitted_on", "created_at", "channel", "service_point__name", "model_version", "pd", "grade",
           "term_months", "status", "listed_on", "disbursed_on", *FACT_NAMES)


def _rows(loans: Q, bad: dict[int, date] | None = None) -> list[MonitoredApplication]:
    # Plain values, not model instances: a month of applications is read on every report and alert.
    last_officer = ReviewDecision.objects.filter(
        loan=OuterRef("pk"), decision__in=("approve", "reject")).order_by("-pk").values("decision")[:1]
    query = Loan.objects.filter(loans).annotate(officer=Subquery(last_officer)).order_by("pk")
    out = []
    for row in query.values(*_FIELDS, "officer"):
        if row["status"] == LoanStatus.REJECTED:
            outcome = REJECTED
        elif row["officer"] == "approve" or row["disbursed_on"] is not None or row["listed_on"] is not None:
            outcome = APPROVED
        else:
            outcome = PENDING
        out.append(MonitoredApplication(
            loan_id=row["pk"], submitted_on=row["submitted_on"] or row["created_at"].date(), channel=row["channel"],
            service_point=row["service_point__name"] or "", model_version=row["model_version"], pd=row["pd"],
            grade=row["grade"], term_months=row["term_months"], facts=ApplicationFacts.from_object(row),
            outcome=outcome, officer_decided=row["officer"] is not None and outcome != PENDING,
            disbursed_on=row["disbursed_on"], bad_on=(bad or {}).get(row["pk"]),
        ))
    return out


def submitted(start: date, end: date) -> list[MonitoredApplication]:
    return _rows(Q(submitted_on__gte=start, submitted_on__lt=end))


def disbursed(start: date, end: date, as_of: date) -> list[MonitoredApplication]:
    span = Q(disbursed_on__gte=start, disbursed_on__lt=end)
    bad: dict[int, date] = {}
    # Installments due long enough ago to have reached 90 days past due by as_of (one vintage's).
    late = Installment.objects.filter(
        loan__in=Loan.objects.filter(span), due_date__lte=as_of - timedelta(days=BAD_DAYS_PAST_DUE),
    ).values_list("loan_id", "due_date", "paid_on")
    for loan_id, due, paid in late.order_by():
        when = due + timedelta(days=BAD_DAYS_PAST_DUE)
        if (paid is None or paid >= when) and (loan_id not in bad or when < bad[loan_id]):
            bad[loan_id] = when
    for loan_id, closed in Loan.objects.filter(span, status__in=_BAD_STATUSES).values_list("pk", "closed_on"):
        when = min(closed or as_of, as_of)
        if loan_id not in bad or when < bad[loan_id]:
            bad[loan_id] = when
    return _rows(span, bad)


def current_model() -> tuple[str, date] | None:
    latest = (Loan.objects.filter(pd__isnull=False, submitted_on__isnull=False).exclude(model_version="")
              .order_by("-submitted_on", "-pk").values_list("model_version", flat=True).first())
    if latest is None:
        return None
    first = Loan.objects.filter(model_version=latest).aggregate(first=Min("submitted_on"))["first"]
    return (latest, first) if first is not None else None


def register() -> None:
    register_monitoring_source(MonitoringSource(submitted=submitted, disbursed=disbursed,
                                                current_model=current_model))
