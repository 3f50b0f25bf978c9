"""What every statement file says, in order, as plain rows (the renderers only lay them out).

Amounts stay integers in minor units here; each renderer writes them as decimals with two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from peerlend.ledger.statements.build import TOTALS_IN, TOTALS_OUT, StatementData
from peerlend.ledger.statements.labels import TOTAL_LABELS, reference_label
from peerlend.ledger.statements.periods import MONTH

Cell = str | int | date  # int cells are money in minor units


@dataclass(frozen=True)
class Layout:
    title: str
    facts: list[tuple[str, str]]
    balances_header: list[str]
    balances: list[list[Cell]]
    columns: list[str]
    lines: list[list[Cell]]
    line_totals: list[Cell]
    totals: list[tuple[str, int]]
    tax_title: str
    tax_columns: list[str]
    tax_rows: list[list[Cell]]
    note: str


MONEY_COLUMNS = {4, 5, 6, 7}  # In, Out, Available, Frozen in ``Layout.lines``


def period_label(data: StatementData) -> str:
    if data.period.kind == MONTH:
        return _("%(start)s to %(end)s (month %(code)s)") % {
            "start": data.period.start.isoformat(), "end": data.period.end.isoformat(), "code": data.period.code}
    return _("%(start)s to %(end)s (year %(code)s)") % {
        "start": data.period.start.isoformat(), "end": data.period.end.isoformat(), "code": data.period.code}


def layout(data: StatementData) -> Layout:
    title = _("Monthly statement") if data.period.kind == MONTH else _("Annual statement")
    lines: list[list[Cell]] = [
        [line.day, line.description, reference_label(line.reference), f"#{line.entry_id}",
         line.amount_in, line.amount_out, line.available_after, line.frozen_after]
        for line in data.lines
    ]
    totals = [(str(TOTAL_LABELS[k]), data.totals[k]) for k in (*TOTALS_IN, *TOTALS_OUT) if data.totals[k]]
    tax_rows: list[list[Cell]] = [[f"{m.month:%Y-%m}", m.interest, m.late_fees, m.service_fees, m.net]
                                  for m in data.tax_months]
    t = data.tax_total
    tax_rows.append([_("Total"), t.interest, t.late_fees, t.service_fees, t.net])
    return Layout(
        title=title,
        facts=[(_("Member"), f"{data.member_name} (#{data.member_id})"), (_("Period"), period_label(data)),
               (_("Currency"), data.currency)],
        balances_header=["", _("Available"), _("Frozen"), _("Total")],
        balances=[
            [_("Opening balance"), data.opening_available, data.opening_frozen, data.opening],
            [_("Closing balance"), data.closing_available, data.closing_frozen, data.closing],
        ],
        columns=[_("Date"), _("Description"), _("Reference"), _("Ledger entry"), _("In"), _("Out"),
                 _("Available balance"), _("Frozen balance")],
        lines=lines,
        line_totals=[_("Total"), "", "", "", data.total_in, data.total_out, data.closing_available,
                     data.closing_frozen],
        totals=totals,
        tax_title=_("Interest income summary (for tax purposes)"),
        tax_columns=[_("Month"), _("Interest received"), _("Late fees"), _("Service fees deducted"), _("Net")],
        tax_rows=tax_rows,
        note=_("Interest includes penalty interest. Closing balance = opening balance + money in - money out; "
               "moves between your available and frozen balances change neither total."),
    )
