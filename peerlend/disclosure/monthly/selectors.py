"""Reads of published operating data: the version in force of each month, a month's versions, derived rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlend.disclosure.models_monthly import MonthlySnapshot
from peerlend.domain.money import format_minor
from peerlend.errors import NotFound

_RATE = Decimal("0.0001")
# The label of each stored figure (pages and the API show these beside the codes).
FIGURE_LABELS = {
    "lent_cumulative_minor": _("Amount lent since inception"),
    "lent_cumulative_count": _("Loans made since inception"),
    "outstanding_minor": _("Amount outstanding (principal owed to lenders)"),
    "outstanding_count": _("Loans outstanding"),
    "interest_outstanding_minor": _("Interest outstanding"),
    "borrowers_cumulative": _("Borrowers since inception"),
    "borrowers_current": _("Borrowers with a loan outstanding"),
    "lenders_cumulative": _("Lenders since inception"),
    "lenders_current": _("Lenders with money outstanding"),
    "top10_borrowers_minor": _("Outstanding with the 10 largest borrowers"),
    "largest_borrower_minor": _("Outstanding with the largest borrower"),
    "top10_lenders_minor": _("Outstanding held by the 10 largest lenders"),
    "largest_lender_minor": _("Outstanding held by the largest lender"),
    "related_party_minor": _("Related-party loans outstanding (amount)"),
    "related_party_count": _("Related-party loans outstanding (count)"),
    "overdue_minor": _("Overdue loans: principal outstanding"),
    "overdue_count": _("Overdue loans"),
    "overdue_90_minor": _("Overdue more than 90 days: principal outstanding"),
    "overdue_90_count": _("Loans overdue more than 90 days"),
    "compensation_minor": _("Compensation paid since inception (amount)"),
    "compensation_count": _("Compensation payments since inception"),
    "avg_loan_minor": _("Average loan amount"),
    "per_borrower_minor": _("Outstanding per borrower"),
    "per_lender_minor": _("Outstanding per lender"),
    "fund_days_total": _("Days from listing to disbursement, all loans"),
    "fund_loans": _("Loans counted in the time to fund"),
}
RATE_LABELS = {
    "project_overdue_rate": _("Project overdue rate (overdue loans / loans outstanding)"),
    "amount_overdue_rate": _("Amount overdue rate (overdue principal / principal outstanding)"),
    "top10_borrowers_share": _("Share of the 10 largest borrowers"),
    "largest_borrower_share": _("Share of the largest borrower"),
    "top10_lenders_share": _("Share of the 10 largest lenders"),
    "largest_lender_share": _("Share of the largest lender"),
    "avg_days_to_fund": _("Average days from listing to disbursement"),
}


def _ratio(num: int, den: int) -> Decimal:
    return (Decimal(num) / Decimal(den)).quantize(_RATE, ROUND_HALF_UP) if den else Decimal(0)


def rates(figures: dict[str, int]) -> dict[str, Decimal]:
    """The ratios derived from a snapshot's stored integers (never stored themselves)."""
    out = figures["outstanding_minor"]
    return {
        "project_overdue_rate": _ratio(figures["overdue_count"], figures["outstanding_count"]),
        "amount_overdue_rate": _ratio(figures["overdue_minor"], out),
        "top10_borrowers_share": _ratio(figures["top10_borrowers_minor"], out),
        "largest_borrower_share": _ratio(figures["largest_borrower_minor"], out),
        "top10_lenders_share": _ratio(figures["top10_lenders_minor"], out),
        "largest_lender_share": _ratio(figures["largest_lender_minor"], out),
        "avg_days_to_fund": (Decimal(figures["fund_days_total"]) / Decimal(figures["fund_loans"])).quantize(
            Decimal("0.01"), ROUND_HALF_UP) if figures["fund_loans"] else Decimal(0),
    }


def current_snapshots() -> list[MonthlySnapshot]:
    """The version in force of every published month, newest month first."""
    latest = MonthlySnapshot.objects.filter(month=OuterRef("month")).order_by("-version").values("version")[:1]
    return list(MonthlySnapshot.objects.filter(version=Subquery(latest)).order_by("-month"))


def snapshot(month: date) -> MonthlySnapshot:
    snap = MonthlySnapshot.objects.filter(month=month.replace(day=1)).order_by("-version").first()
    if snap is None:
        raise NotFound(gettext("No operating data has been published for this month."), code="not_published")
    return cast(MonthlySnapshot, snap)


def versions(month: date) -> list[MonthlySnapshot]:
    return list(MonthlySnapshot.objects.filter(month=month.replace(day=1)).order_by("version"))


def latest_month() -> date | None:
    return cast("date | None", MonthlySnapshot.objects.aggregate(m=Max("month"))["m"])


@dataclass(frozen=True)
class FigureLine:
    code: str
    label: str
    value: int
    money: bool


def figure_lines(snap: MonthlySnapshot) -> list[FigureLine]:
    # In FIGURE_LABELS' order: PostgreSQL's jsonb keeps keys by length, not as written.
    return [FigureLine(code, str(label), int(snap.figures[code]), code.endswith("_minor"))
            for code, label in FIGURE_LABELS.items() if code in snap.figures]


FEE_LABELS = {
    "origination_fee_base": _("Origination fee, lowest rate (of the amount lent)"),
    "origination_fee_max": _("Origination fee, highest rate (of the amount lent)"),
    "investor_service_fee_rate": _("Investor service fee (of each repayment received)"),
    "late_fee_rate": _("Late fee (of the overdue installment)"),
    "late_fee_min_minor": _("Late fee, minimum"),
    "penalty_daily_rate": _("Penalty interest per day (of the overdue principal)"),
    "prepayment_penalty_rate": _("Prepayment fee (of the principal prepaid)"),
    "guarantee_mode": _("Protection of lenders' principal"),
}
GUARANTEE_MODES = {"none": _("None: lenders bear the losses"),
                   "risk_reserve": _("Risk reserve (limited to its balance)")}


def fee_rows(fees: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored fee schedule as (label, value) lines: rates in percent, amounts in CNY, modes in words."""
    rows: list[tuple[str, str]] = []
    for code, value in fees.items():
        label = str(FEE_LABELS.get(code, code.replace("_", " ")))
        if code == "guarantee_mode":
            shown = str(GUARANTEE_MODES.get(str(value), value))
        elif code.endswith("_minor"):
            shown = f"{format_minor(int(value))} CNY"
        else:
            shown = f"{(Decimal(str(value)) * 100).normalize():f}%"
        rows.append((label, shown))
    return rows
