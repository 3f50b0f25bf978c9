"""Render a loan contract PDF from its frozen terms (reportlab; CJK via a built-in CID font)."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from peerlend.lending.models import Contract

_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def render_contract_pdf(contract: Contract) -> bytes:
    """The same terms always give the same document text; parties appear masked."""
    terms = contract.terms
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = _FONT  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Loan contract {contract.number}",
                            leftMargin=18 * mm, rightMargin=18 * mm, invariant=1)
    story = [
        Paragraph(f"Loan contract 借款合同 · {contract.number}", styles["Title"]),
        Paragraph(
            "Made through peerlend, an information intermediary that does not lend its own money. "
            "The lenders below lend the amount to the borrower on these terms.",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    facts = [
        ["Borrower 借款人", terms["borrower"]],
        ["Amount 借款金额", f'{terms["amount"]} {terms["currency"]}'],
        ["Annual rate 年利率", f'{(Decimal(terms["annual_rate"]) * 100).quantize(Decimal("0.01"))}%'],
        ["Term 期限", f'{terms["term_months"]} months'],
        ["Repayment 还款方式", terms["repayment_method"]],
        ["Origination fee 服务费", f'{terms["origination_fee"]} {terms["currency"]}'],
        ["Disbursed on 放款日", terms["disbursed_on"] or ""],
        ["Channel 渠道", terms["channel"]],
    ]
    story.append(_table(facts, header=False))
    story += [Spacer(1, 6 * mm), Paragraph("Lenders 出借人", styles["Heading2"])]
    story.append(_table([["Lender", "Note", "Amount"]] + [
        [lender["lender"], str(lender["note_id"]), lender["amount"]] for lender in terms["lenders"]
    ]))
    story += [Spacer(1, 6 * mm), Paragraph("Repayment schedule 还款计划", styles["Heading2"])]
    story.append(_table([["#", "Due date", "Principal", "Interest"]] + [
        [str(row["number"]), row["due_date"], row["principal"], row["interest"]] for row in terms["schedule"]
    ]))
    story += [Spacer(1, 6 * mm), Paragraph(f"Terms fingerprint (SHA-256): {contract.sha256}", styles["Normal"])]
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[str]], header: bool = True) -> Table:
    table = Table(rows, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), _FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
    table.setStyle(TableStyle(style))
    return table
