"""A regulator's dataset as CSV or XLSX: money exact from minor units, text never read as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook

from peerlend.domain.money import format_minor

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


class Amount(int):
    """An amount in minor units: written as major units (CSV text, XLSX exact decimal)."""


Cell = str | int | Amount | dt.date | None


def safe_text(value: str) -> str:
    # A cell starting with = + - @ (or a tab / carriage return) would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Amount):
        return format_minor(int(cell))
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return safe_text(cell)


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8")


def render_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(list(header))
    for row in rows:
        values: list[object] = []
        for cell in row:
            if isinstance(cell, Amount):
                values.append(Decimal(format_minor(int(cell))))
            elif isinstance(cell, str):
                # Write-only sheets store a leading "=" as a formula: the guard keeps it text.
                values.append(safe_text(cell))
            else:
                values.append(cell)
        ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render(fmt: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    return render_xlsx(title, header, rows) if fmt == "xlsx" else render_csv(header, rows)
