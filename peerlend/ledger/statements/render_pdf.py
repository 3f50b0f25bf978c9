"""A statement as PDF (reportlab; Chinese text through the built-in CID font, as the loan contract does)."""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from peerlend.domain.money import format_grouped
from peerlend.ledger.statements.build import StatementData
from peerlend.ledger.statements.layout import Cell, layout

_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def _text(cell: Cell, currency: str) -> str:
    if isinstance(cell, int) and not isinstance(cell, bool):
        return format_grouped(cell, currency)
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _table(rows: list[list[str]], *, header: bool = True, money_from: int = 99, bold_last: bool = False,
           widths: list[float] | None = None) -> Table:
    # repeatRows: a long movements table continues on the next page under its header row.
    table = Table(rows, hAlign="LEFT", repeatRows=1 if header else 0, colWidths=widths)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), _FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (money_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
    if bold_last:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.whitesmoke))
    table.setStyle(TableStyle(style))
    return table


def render_pdf(data: StatementData) -> bytes:
    doc = layout(data)
    cur = data.currency
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = _FONT  # type: ignore[attr-defined]
    small = styles["BodyText"]
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, title=f"{doc.title} {data.period.code}",
                            leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                            invariant=1)

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text), small)

    story: list[object] = [Paragraph(escape(doc.title), styles["Title"])]
    story.append(_table([[label, value] for label, value in doc.facts], header=False))
    story.append(Spacer(1, 4 * mm))
    story.append(_table([doc.balances_header] + [[_text(c, cur) for c in row] for row in doc.balances],
                        money_from=1))
    story.append(Spacer(1, 4 * mm))
    body = [[para(_text(c, cur)) if i in (1, 2) else _text(c, cur) for i, c in enumerate(row)]
            for row in doc.lines]
    story.append(_table([doc.columns, *body, [_text(c, cur) for c in doc.line_totals]], money_from=4,
                        bold_last=True, widths=[18 * mm, 44 * mm, 28 * mm, 15 * mm, 20 * mm, 20 * mm, 20 * mm,
                                                20 * mm]))
    if doc.totals:
        story.append(Spacer(1, 4 * mm))
        story.append(_table([[label, _text(amount, cur)] for label, amount in doc.totals], header=False,
                            money_from=1))
    story += [Spacer(1, 4 * mm), Paragraph(escape(doc.tax_title), styles["Heading3"])]
    story.append(_table([doc.tax_columns, *[[_text(c, cur) for c in row] for row in doc.tax_rows]], money_from=1,
                        bold_last=True))
    story += [Spacer(1, 4 * mm), para(doc.note)]
    pdf.build(story)  # type: ignore[arg-type]
    return buffer.getvalue()
