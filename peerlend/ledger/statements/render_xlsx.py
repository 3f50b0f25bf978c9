"""A statement as an Excel workbook: a header block, the movements table with money formats, totals."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from peerlend.domain.money import format_minor
from peerlend.ledger.statements.build import StatementData
from peerlend.ledger.statements.layout import Cell, layout

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def _put(ws: Worksheet, row: int, cells: list[Cell], currency: str, *, bold: bool = False) -> None:
    for col, cell in enumerate(cells, start=1):
        target = ws.cell(row=row, column=col)
        if isinstance(cell, int) and not isinstance(cell, bool):
            # An exact decimal from the integer minor units (never a float on the way).
            target.value = Decimal(format_minor(cell, currency))
            target.number_format = MONEY_FORMAT
        elif isinstance(cell, date):
            target.value = cell
            target.number_format = DATE_FORMAT
        else:
            # openpyxl writes a leading "=" as a formula: keep member-controlled text as text.
            target.value = cell
            target.data_type = "s"
        if bold:
            target.font = Font(bold=True)


def render_xlsx(data: StatementData) -> bytes:
    doc = layout(data)
    cur = data.currency
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = data.period.code
    ws.cell(row=1, column=1, value=doc.title).font = Font(bold=True, size=14)
    row = 2
    for label, value in doc.facts:
        _put(ws, row, [label, value], cur)
        row += 1
    row += 1
    _put(ws, row, list(doc.balances_header), cur, bold=True)
    for balance in doc.balances:
        row += 1
        _put(ws, row, balance, cur)
    row += 2
    _put(ws, row, list(doc.columns), cur, bold=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for line in doc.lines:
        row += 1
        _put(ws, row, line, cur)
    row += 1
    _put(ws, row, doc.line_totals, cur, bold=True)
    row += 2
    for label, amount in doc.totals:
        _put(ws, row, [label, amount], cur)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=doc.tax_title).font = Font(bold=True)
    row += 1
    _put(ws, row, list(doc.tax_columns), cur, bold=True)
    for tax in doc.tax_rows:
        row += 1
        _put(ws, row, tax, cur, bold=tax is doc.tax_rows[-1])
    row += 2
    _put(ws, row, [doc.note], cur)
    for letter, width in zip("ABCDEFGH", (12, 34, 22, 12, 14, 14, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
