"""A statement as CSV: UTF-8 with a byte-order mark, so spreadsheet programs read Chinese text right."""

from __future__ import annotations

import csv
import io
from datetime import date

from peerlend.domain.money import format_minor
from peerlend.ledger.statements.build import StatementData
from peerlend.ledger.statements.layout import Cell, layout


def _text(cell: Cell, currency: str) -> str:
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return format_minor(cell, currency)
    if isinstance(cell, date):
        return cell.isoformat()
    return _safe(cell)


def _safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection); amounts are
    # written by format_minor above, so only text (descriptions, names) is guarded.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(data: StatementData) -> bytes:
    doc = layout(data)
    cur = data.currency
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe(doc.title)])
    for label, value in doc.facts:
        writer.writerow([_safe(label), _safe(value)])
    writer.writerow([])
    writer.writerow(doc.balances_header)
    writer.writerows([[_text(c, cur) for c in row] for row in doc.balances])
    writer.writerow([])
    writer.writerow(doc.columns)
    writer.writerows([[_text(c, cur) for c in row] for row in doc.lines])
    writer.writerow([_text(c, cur) for c in doc.line_totals])
    writer.writerow([])
    for label, amount in doc.totals:
        writer.writerow([_safe(label), format_minor(amount, cur)])
    writer.writerow([])
    writer.writerow([_safe(doc.tax_title)])
    writer.writerow(doc.tax_columns)
    writer.writerows([[_text(c, cur) for c in row] for row in doc.tax_rows])
    writer.writerow([])
    writer.writerow([_safe(doc.note)])
    return out.getvalue().encode("utf-8-sig")
