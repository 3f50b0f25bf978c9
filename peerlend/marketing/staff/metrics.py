"""The six measured facts of staff performance, read from the tables that record them (set-based).

Each metric is one GROUP BY query over the rows that name an agent and a service point. "In the month"
means one thing for every figure: the fact's **business date** (``peerlend.clock``, the date the
platform's calendar runs on) falls in the month; never the wall clock, which differs on a simulated or
batch-run day:

* members registered: ``User.registered_by`` / ``registered_point``, by ``registered_on`` (the business
  date of the registration);
* identities verified: offline ``Identity.verified_by`` / ``service_point``, by ``verified_on`` (the
  business date of the verification);
* applications originated: loans an agent filed (``Loan.agent`` / ``service_point``), by ``submitted_on``;
* amount originated: those loans' amounts, in the month they were disbursed (``disbursed_on``);
* loans repaid on time: loans filed at the point with an installment due in the month (up to ``as_of``)
  and every such installment paid on or before its due date;
* collections recovered: see :func:`collections_recovered_payments` (staff collections and
  repayments taken at a point's counter), by the payment's ``business_date``.

Grouping is by agent, by point, by the point's city, or by month (then over every point).
Commissions (``rules``) count registrations and verifications through :func:`metric_by`, so they
use the same definitions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from peerlend.accounts.models import Identity, User
from peerlend.lending.models import Loan
from peerlend.marketing.staff.months import datetime_bounds
from peerlend.servicing.models import Installment, InstallmentStatus, ServicingPayment

Grouping = Literal["agent", "point", "city", "month"]
GROUPINGS: tuple[Grouping, ...] = ("agent", "point", "city", "month")
# The target fields, in the order the pages show them (amounts end in _minor).
METRICS = ("members_registered", "identities_verified", "applications_originated", "amount_originated_minor",
           "loans_repaid_on_time", "collections_recovered_minor")
Key = Any  # an agent id, a point id, a city name or a month (date)


@dataclass(frozen=True)
class Source:
    rows: Callable[[], QuerySet[Any]]
    date_field: str
    timestamp: bool  # the date field is a datetime (bounded in the platform's time zone)
    agent: str
    point: str
    aggregates: Callable[[], dict[str, Any]]
    combine: Callable[[dict[str, Any]], int]
    city: str | None = None  # the point's city, when it is not ``<point relation>__city``


def _value(name: str) -> Callable[[dict[str, Any]], int]:
    return lambda row: int(row[name] or 0)


def _on_time_loans(row: dict[str, Any]) -> int:
    return int(row["due"] or 0) - int(row["late"] or 0)


_ON_TIME = Q(status=InstallmentStatus.PAID, paid_on__isnull=False, paid_on__lte=F("due_date"))

# A payment was made by a staff member on the borrower's behalf (collections), not by the borrower.
_TAKEN_BY_STAFF = Q(actor__isnull=False) & ~Q(actor=F("payer"))


def collections_recovered_payments() -> QuerySet[ServicingPayment]:
    """The servicing payments that count as "collections recovered", each once, with who and where took it.

    The one definition of the figure (report page, exports, charts, the simulator's report). A payment
    (``amount_minor``, on its ``business_date``) counts when it was either

    * **taken at a service point's counter** (it has a ``CounterReceipt``: the agent recorded the
      borrower's cash or card repayment at the counter): for the receipt's agent and the receipt's
      point (where the money was taken); or
    * **taken by a staff member** for the borrower (``actor`` set and not the ``payer``, e.g.
      collections staff collecting): for that staff member, and for the point where the loan was filed.

    A repayment the borrower made online (the borrower is the actor, no receipt) counts for nobody.
    Each payment is one row whatever the path (a receipt names one payment), so none counts twice.
    Annotated: ``staff_agent_id``, ``staff_point_id`` and ``staff_city``.
    """
    return (ServicingPayment.objects.filter(Q(counter_receipt__isnull=False) | _TAKEN_BY_STAFF)
            .annotate(staff_agent_id=Coalesce("counter_receipt__agent_id", "actor_id"),
                      staff_point_id=Coalesce("counter_receipt__service_point_id", "loan__service_point_id"),
                      staff_city=Coalesce("counter_receipt__service_point__city", "loan__service_point__city")))


SOURCES: dict[str, Source] = {
    "members_registered": Source(
        rows=lambda: User.objects.all(), date_field="registered_on", timestamp=False,
        agent="registered_by_id", point="registered_point_id",
        aggregates=lambda: {"n": Count("pk")}, combine=_value("n")),
    "identities_verified": Source(
        rows=lambda: Identity.objects.filter(channel="offline"), date_field="verified_on", timestamp=False,
        agent="verified_by_id", point="service_point_id",
        aggregates=lambda: {"n": Count("pk")}, combine=_value("n")),
    "applications_originated": Source(
        rows=lambda: Loan.objects.filter(submitted_on__isnull=False), date_field="submitted_on", timestamp=False,
        agent="agent_id", point="service_point_id",
        aggregates=lambda: {"n": Count("pk")}, combine=_value("n")),
    "amount_originated_minor": Source(
        rows=lambda: Loan.objects.filter(disbursed_on__isnull=False), date_field="disbursed_on", timestamp=False,
        agent="agent_id", point="service_point_id",
        aggregates=lambda: {"s": Sum("amount_minor")}, combine=_value("s")),
    "loans_repaid_on_time": Source(
        rows=lambda: Installment.objects.all(), date_field="due_date", timestamp=False,
        agent="loan__agent_id", point="loan__service_point_id",
        aggregates=lambda: {"due": Count("loan", distinct=True),
                            "late": Count("loan", distinct=True, filter=~_ON_TIME)},
        combine=_on_time_loans),
    "collections_recovered_minor": Source(
        rows=collections_recovered_payments, date_field="business_date", timestamp=False,
        agent="staff_agent_id", point="staff_point_id", city="staff_city",
        aggregates=lambda: {"s": Sum("amount_minor")}, combine=_value("s")),
}


def _group_field(source: Source, grouping: Grouping) -> str:
    if grouping == "agent":
        return source.agent
    if grouping == "point":
        return source.point
    if grouping == "city":
        return source.city or source.point.removesuffix("_id") + "__city"
    return "month"


def _rows_in(source: Source, start: dt.date, end: dt.date) -> QuerySet[Any]:
    qs = source.rows()
    low: Any
    high: Any
    low, high = datetime_bounds(start, end) if source.timestamp else (start, end)
    return qs.filter(**{f"{source.date_field}__gte": low, f"{source.date_field}__lt": high})


def metric_by(metric: str, grouping: Grouping, start: dt.date, end: dt.date, *,
              as_of: dt.date | None = None, agent_id: int | None = None) -> dict[Key, int]:
    """One metric over [start, end), grouped; only rows that name an agent (a point for point/city/month).

    ``as_of`` caps "loans repaid on time" at installments already due (the current month's progress).
    ``agent_id`` narrows to one agent (their own progress page).
    """
    source = SOURCES[metric]
    if metric == "loans_repaid_on_time" and as_of is not None:
        end = min(end, as_of + dt.timedelta(days=1))
    qs = _rows_in(source, start, end)
    owner = source.agent if grouping == "agent" else source.point
    qs = qs.filter(**{f"{owner}__isnull": False})
    if agent_id is not None:
        qs = qs.filter(**{source.agent: agent_id})
    if grouping == "month":
        qs = qs.annotate(month=TruncMonth(source.date_field, output_field=DateField()))
    field = _group_field(source, grouping)
    grouped = qs.order_by().values(field).annotate(**source.aggregates())
    return {row[field]: source.combine(row) for row in grouped}


def actuals(grouping: Grouping, start: dt.date, end: dt.date, *, as_of: dt.date | None = None,
            agent_id: int | None = None) -> dict[Key, dict[str, int]]:
    """Every metric for every group with any activity: {key: {metric: value}} (six GROUP BY queries)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for metric in METRICS:
        for key, value in metric_by(metric, grouping, start, end, as_of=as_of, agent_id=agent_id).items():
            out[_month_key(key) if grouping == "month" else key][metric] = value
    return dict(out)


def _month_key(value: Any) -> dt.date:
    # TruncMonth gives a date; some backends hand back a datetime for a truncated timestamp.
    return value.date() if isinstance(value, dt.datetime) else value
