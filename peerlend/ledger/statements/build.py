"""The figures of one member's statement for one closed period, from the ledger postings alone.

Balances are the member's ``available`` and ``frozen`` accounts (``services.user_accounts``). A
posting belongs to the day of its entry's business date (the entry's creation day in the platform's
time zone for entries written without one). Opening = every posting before the period; closing =
opening + the period's movements, checked against an independent sum of every posting up to its end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import DateField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from peerlend.ledger.models import AccountKind, Posting, default_currency
from peerlend.ledger.statements.labels import kind_label
from peerlend.ledger.statements.parts import EntryParts, parts_of
from peerlend.ledger.statements.periods import Period

MEMBER_KINDS = (AccountKind.AVAILABLE, AccountKind.FROZEN)

# Totals: each is >= 0; "in" ones raised the member's balance, "out" ones lowered it.
TOTALS_IN = ("deposits", "principal_received", "interest_received", "loans_disbursed", "repayments_received",
             "other_in")
TOTALS_OUT = ("withdrawals", "invested", "service_fees", "origination_fees", "principal_paid", "interest_paid",
              "late_fees_paid", "reserve_repaid", "repayments_paid", "other_out")


@dataclass(frozen=True)
class Line:
    day: date
    entry_id: int
    kind: str
    description: str
    reference: str
    available_change: int
    frozen_change: int
    available_after: int
    frozen_after: int

    @property
    def change(self) -> int:
        return self.available_change + self.frozen_change

    @property
    def amount_in(self) -> int:
        return max(self.change, 0)

    @property
    def amount_out(self) -> int:
        return max(-self.change, 0)

    @property
    def balance_after(self) -> int:
        return self.available_after + self.frozen_after


@dataclass(frozen=True)
class TaxMonth:
    """Investor income of one month: interest received (penalty interest included), late fees, fees deducted."""

    month: date
    interest: int
    late_fees: int
    service_fees: int

    @property
    def net(self) -> int:
        return self.interest + self.late_fees - self.service_fees


@dataclass(frozen=True)
class StatementData:
    member_id: int
    member_name: str
    period: Period
    currency: str
    opening_available: int
    opening_frozen: int
    closing_available: int
    closing_frozen: int
    lines: list[Line]
    totals: dict[str, int]
    tax_months: list[TaxMonth] = field(default_factory=list)

    @property
    def opening(self) -> int:
        return self.opening_available + self.opening_frozen

    @property
    def closing(self) -> int:
        return self.closing_available + self.closing_frozen

    @property
    def total_in(self) -> int:
        return sum(line.amount_in for line in self.lines)

    @property
    def total_out(self) -> int:
        return sum(line.amount_out for line in self.lines)

    @property
    def tax_total(self) -> TaxMonth:
        return TaxMonth(self.period.start, sum(m.interest for m in self.tax_months),
                        sum(m.late_fees for m in self.tax_months), sum(m.service_fees for m in self.tax_months))


def _member_postings(member_id: int) -> QuerySet[Posting]:
    return Posting.objects.filter(account__owner_id=member_id, account__kind__in=MEMBER_KINDS).annotate(
        day=Coalesce("entry__business_date", TruncDate("entry__created_at"), output_field=DateField()))


def _balances(member_id: int, condition: Q) -> tuple[int, int]:
    sums = dict(_member_postings(member_id).filter(condition).values("account__kind")
                .annotate(total=Sum("amount_minor")).values_list("account__kind", "total"))
    return int(sums.get(AccountKind.AVAILABLE) or 0), int(sums.get(AccountKind.FROZEN) or 0)


def first_activity(member_id: int) -> date | None:
    """The day of the member's first posting (the books' view of when they joined)."""
    found = _member_postings(member_id).order_by("day").values_list("day", flat=True).first()
    return found


def build_statement(member: Any, period: Period) -> StatementData:
    opening_available, opening_frozen = _balances(member.pk, Q(day__lt=period.start))
    rows = (_member_postings(member.pk).filter(day__gte=period.start, day__lte=period.end)
            .values_list("day", "entry_id", "entry__kind", "entry__reference", "account__kind", "amount_minor")
            .order_by("day", "entry_id", "account__kind"))
    changes: dict[int, dict[str, Any]] = {}
    for day, entry_id, kind, reference, account_kind, amount in rows:
        line = changes.setdefault(entry_id, {"day": day, "kind": kind, "reference": reference,
                                             AccountKind.AVAILABLE: 0, AccountKind.FROZEN: 0})
        line[account_kind] += amount
    lines: list[Line] = []
    available, frozen = opening_available, opening_frozen
    for entry_id, c in changes.items():  # dicts keep insertion order: (day, entry id)
        available += c[AccountKind.AVAILABLE]
        frozen += c[AccountKind.FROZEN]
        label = kind_label(c["kind"], credited=c[AccountKind.AVAILABLE] > 0)
        lines.append(Line(c["day"], entry_id, c["kind"], label, c["reference"],
                          c[AccountKind.AVAILABLE], c[AccountKind.FROZEN], available, frozen))
    closing_available, closing_frozen = _balances(member.pk, Q(day__lte=period.end))
    # The running balance must land on the books' own sum: a gap would mean a posting was missed.
    if (available, frozen) != (closing_available, closing_frozen):
        raise AssertionError(f"statement of member {member.pk} for {period.code} does not add up: "
                             f"{(available, frozen)} != {(closing_available, closing_frozen)}")
    parts = parts_of(member.pk, [line.entry_id for line in lines if line.change])
    totals, by_month = _totals(lines, parts, _platform_fees(lines))
    if sum(totals[k] for k in TOTALS_IN) - sum(totals[k] for k in TOTALS_OUT) != closing_available + closing_frozen \
            - opening_available - opening_frozen:
        raise AssertionError(f"statement totals of member {member.pk} for {period.code} do not add up")
    tax_months = [TaxMonth(m, *by_month.get(m, (0, 0, 0))) for m in period.months()]
    name = (member.get_full_name() or member.get_username()) if hasattr(member, "get_username") else str(member)
    return StatementData(member.pk, name, period, default_currency(), opening_available, opening_frozen,
                         closing_available, closing_frozen, lines, totals, tax_months)


def _platform_fees(lines: list[Line]) -> dict[int, int]:
    """A disbursement's fee: what the platform's accounts kept of the loan (net over the entry)."""
    ids = [line.entry_id for line in lines if line.kind == "disburse" and line.change > 0]
    if not ids:
        return {}
    rows = (Posting.objects.filter(entry_id__in=ids, account__kind=AccountKind.PLATFORM)
            .values("entry_id").annotate(total=Sum("amount_minor")).values_list("entry_id", "total"))
    return {entry_id: int(total or 0) for entry_id, total in rows}


def _totals(lines: list[Line], parts: dict[int, EntryParts], fees: dict[int, int],
            ) -> tuple[dict[str, int], dict[date, tuple[int, int, int]]]:
    totals = dict.fromkeys(TOTALS_IN + TOTALS_OUT, 0)
    income: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in lines:
        change = line.change
        if not change:
            continue  # a move between the member's own accounts (a freeze or a release)
        split = parts.get(line.entry_id)
        month = line.day.replace(day=1)
        if split is not None and change > 0 and split.received_net == change and not split.late_fee \
                and not split.to_reserve:
            totals["principal_received"] += split.principal
            totals["interest_received"] += split.interest
            totals["service_fees"] += split.service_fee
            income[month][0] += split.interest
            income[month][2] += split.service_fee
        elif split is not None and change < 0 and split.paid_total == -change and not split.service_fee:
            totals["principal_paid"] += split.principal
            totals["interest_paid"] += split.interest
            totals["late_fees_paid"] += split.late_fee
            totals["reserve_repaid"] += split.to_reserve
        elif line.kind == "deposit" and change > 0:
            totals["deposits"] += change
        elif line.kind == "withdrawal" and change < 0:
            totals["withdrawals"] -= change
        elif line.kind == "disburse" and change < 0:
            totals["invested"] -= change
        elif line.kind == "disburse":
            fee = max(fees.get(line.entry_id, 0), 0)
            totals["loans_disbursed"] += change + fee
            totals["origination_fees"] += fee
        elif split is not None and change > 0:
            totals["repayments_received"] += change
        elif split is not None:
            totals["repayments_paid"] -= change
        elif change > 0:
            totals["other_in"] += change
        else:
            totals["other_out"] -= change
    return totals, {m: (v[0], v[1], v[2]) for m, v in income.items()}
