"""The completion report as CSV (UTF-8 with BOM) and as an Excel workbook.

Names typed by people (usernames, point names, cities) could start with = + - @ and run as a formula
in a spreadsheet (CSV injection): CSV cells get a leading apostrophe, XLSX cells are typed as text.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from peerlend.domain.money import format_minor
from peerlend.marketing.staff.labels import GROUPING_LABELS, METRIC_LABELS, is_amount
from peerlend.marketing.staff.metrics import METRICS
from peerlend.marketing.staff.report import Cell, Report

Value = str | int | Decimal | None


def safe_text(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def header() -> list[str]:
    out = [str(_("Group"))]
    for m in METRICS:
        name = str(METRIC_LABELS[m])
        out += [f"{name} - {_('actual')}", f"{name} - {_('target')}", f"{name} - {_('completion %')}"]
    return out


def _values(metric: str, cell: Cell) -> list[Value]:
    if is_amount(metric):
        return [Decimal(format_minor(cell.actual)), Decimal(format_minor(cell.target)), cell.percent]
    return [cell.actual, cell.target, cell.percent]


def table(report: Report) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for row in report.rows:
        line: list[Value] = [row.label]
        for m in METRICS:
            line += _values(m, row.cells[m])
        rows.append(line)
    total: list[Value] = [str(_("Total"))]
    for m, cell in report.total().items():
        total += _values(m, cell)
    rows.append(total)
    return rows


def title(report: Report) -> str:
    return f"{_('Staff performance')} {report.month:%Y-%m} ({GROUPING_LABELS[report.grouping]})"


def render_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(title(report))])
    writer.writerow(header())
    for line in table(report):
        writer.writerow([safe_text(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in line])
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = report.month.strftime("%Y-%m")
    ws.append([title(report)])
    ws.append(header())
    for r, line in enumerate(table(report), start=3):
        for c, value in enumerate(line, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, never a formula
            elif isinstance(value, Decimal) and c > 1 and (c - 2) % 3 != 2:
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
