"""Vintage rows: loans issued in one month and grade, and how they stand at a date.

* Status shares are shares of the cohort's loans by count, by where each loan stands at ``as_of``:
  current, late 1-15 / 16-30 / 31-90 / over 90 days past due (its oldest installment due and unpaid),
  defaulted, charged off, fully paid (prepaid included). The status is the loan's current one:
  ``as_of`` is the run's business date.
* Cumulative net loss: principal charged off less what was recovered after charge-off, over the amount.
* Realised NAR (``peerlend.domain.returns``): for every loan and every month it was outstanding, interest
  and penalty interest received by the holders less the service fee, less the principal charged off that
  month, plus recoveries, over the principal outstanding at the start of the month.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, Q, Sum

from peerlend.disclosure.monthly.periods import next_month
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.returns import NoteMonth, net_annualized_return
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import PaymentKind, ServicingPayment

BUCKETS = ("current", "late_1_15", "late_16_30", "late_31_90", "late_90_plus", "defaulted", "charged_off",
           "fully_paid")
_PCT = Decimal("0.0001")
RECOVERY = "recovery"  # a payment after charge-off (servicing PaymentKind)
assert RECOVERY in PaymentKind.values


@dataclass
class VintageRow:
    month: date
    grade: str
    loans: int = 0
    amount_minor: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    charged_off_minor: int = 0
    recovered_minor: int = 0
    nar: Decimal | None = None

    @property
    def net_loss_minor(self) -> int:
        return self.charged_off_minor - self.recovered_minor

    @property
    def net_loss_share(self) -> Decimal:
        return (Decimal(self.net_loss_minor) / Decimal(self.amount_minor)).quantize(_PCT, ROUND_HALF_UP) \
            if self.amount_minor else Decimal(0)

    @property
    def shares(self) -> list[Decimal]:
        """The share of each bucket, in ``BUCKETS`` order (pages and the API show these)."""
        return [self.share(b) for b in BUCKETS]

    def share(self, bucket: str) -> Decimal:
        return (Decimal(self.counts[bucket]) / Decimal(self.loans)).quantize(_PCT, ROUND_HALF_UP) \
            if self.loans else Decimal(0)


def _bucket(status: str, oldest_unpaid: date | None, as_of: date) -> str:
    if status in (LoanStatus.FULLY_PAID, LoanStatus.PREPAID):
        return "fully_paid"
    if status in (LoanStatus.CHARGED_OFF, LoanStatus.DEFAULTED):
        return str(status)
    dpd = (as_of - oldest_unpaid).days if oldest_unpaid is not None and oldest_unpaid < as_of else 0
    if dpd <= 0:
        return "current"
    if dpd <= 15:
        return "late_1_15"
    if dpd <= 30:
        return "late_16_30"
    return "late_31_90" if dpd <= 90 else "late_90_plus"


def vintage_rows(as_of: date) -> list[VintageRow]:
    """One row per (issue month, grade) of loans disbursed by ``as_of``, oldest month first."""
    loans = list(Loan.objects.filter(disbursed_on__isnull=False, disbursed_on__lte=as_of).annotate(
        oldest=Min("installments__due_date", filter=Q(installments__paid_on__isnull=True))).values_list(
        "pk", "disbursed_on", "grade", "funded_minor", "status", "oldest", "closed_on"))
    ids = [row[0] for row in loans]
    charged = dict(Note.objects.filter(loan_id__in=ids).values("loan_id").annotate(s=Sum("charged_off_minor"))
                   .values_list("loan_id", "s"))
    payments: dict[int, list[tuple[date, str, int, int, int]]] = defaultdict(list)
    for loan_id, day, kind, principal, interest, fee in ServicingPayment.objects.filter(
            loan_id__in=ids, business_date__lte=as_of).values_list(
            "loan_id", "business_date", "kind", "principal_to_notes_minor", "interest_to_notes_minor",
            "service_fee_minor"):
        payments[loan_id].append((day, kind, principal, interest, fee))
    rows: dict[tuple[date, str], VintageRow] = {}
    months: dict[tuple[date, str], list[NoteMonth]] = defaultdict(list)
    for pk, disbursed, grade, funded, status, oldest, closed in loans:
        key = (disbursed.replace(day=1), grade or "-")
        row = rows.setdefault(key, VintageRow(month=key[0], grade=key[1]))
        row.loans += 1
        row.amount_minor += funded
        row.counts[_bucket(status, oldest, as_of)] += 1
        written_off = int(charged.get(pk) or 0) if status == LoanStatus.CHARGED_OFF else 0
        row.charged_off_minor += written_off
        row.recovered_minor += sum(p + i for _d, k, p, i, _f in payments[pk] if k == RECOVERY)
        months[key].extend(_note_months(disbursed, funded, payments[pk], written_off,
                                        closed if status == LoanStatus.CHARGED_OFF else None, as_of))
    for key, row in rows.items():
        try:
            row.nar = net_annualized_return(months[key])
        except ValueError:  # nothing outstanding yet: NAR undefined ("new")
            row.nar = None
    return [rows[k] for k in sorted(rows)]


def _note_months(disbursed: date, funded: int, payments: Iterable[tuple[date, str, int, int, int]],
                 written_off: int, charged_off_on: date | None, as_of: date) -> list[NoteMonth]:
    """The loan's monthly periods from its disbursement month to ``as_of`` (holders' side, all notes at once)."""
    out: list[NoteMonth] = []
    start, balance = disbursed.replace(day=1), funded
    ordered = sorted(payments)
    while start <= as_of and balance > 0:
        end = next_month(start)
        in_period = [p for p in ordered if start <= p[0] < end]
        interest = sum(i for _d, k, _p, i, _f in in_period if k != RECOVERY)
        recoveries = sum(p + i for _d, k, p, i, _f in in_period if k == RECOVERY)
        fees = sum(f for *_rest, f in in_period)
        loss = written_off if charged_off_on is not None and start <= charged_off_on < end else 0
        out.append(NoteMonth(principal_outstanding_minor=balance, interest_received_minor=interest,
                             service_fees_minor=min(fees, interest + recoveries), charge_offs_minor=loss,
                             recoveries_minor=recoveries))
        balance -= sum(p for _d, k, p, _i, _f in in_period if k != RECOVERY) + loss
        start = end
    return out


CSV_HEADER = ("issue_month", "grade", "loans", "amount", *(f"{b}_share" for b in BUCKETS), "net_loss",
              "net_loss_share", "realised_nar")


def vintage_csv(rows: Iterable[VintageRow]) -> str:
    """The table as CSV: amounts in major units with two decimals, shares and NAR as decimal fractions."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([r.month.strftime("%Y-%m"), r.grade, r.loans, _major(r.amount_minor),
                         *(r.share(b) for b in BUCKETS), _major(r.net_loss_minor), r.net_loss_share,
                         "" if r.nar is None else r.nar.quantize(_PCT, ROUND_HALF_UP)])
    return buf.getvalue()


def _major(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"
