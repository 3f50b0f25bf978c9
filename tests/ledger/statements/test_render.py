"""Each format parses back and carries the statement's figures."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from decimal import Decimal

from django.utils import translation
from openpyxl import load_workbook

from peerlend.domain.money import format_grouped, format_minor
from peerlend.ledger.statements.build import build_statement
from peerlend.ledger.statements.periods import parse_period
from peerlend.ledger.statements.render_csv import render_csv
from peerlend.ledger.statements.render_pdf import render_pdf
from peerlend.ledger.statements.render_xlsx import MONEY_FORMAT, render_xlsx


def test_csv_has_a_bom_and_parses_back(world):
    data = build_statement(world.investor, parse_period("2026-04"))
    content = render_csv(data)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_label = {row[0]: row[1:] for row in rows if row}
    assert by_label["Interest received"] == [format_minor(data.totals["interest_received"])]
    assert by_label["Closing balance"][-1] == format_minor(data.closing)
    movements = [row for row in rows if len(row) == 8 and row[0].startswith("2026-04")]
    assert [row[1] for row in movements] == [line.description for line in data.lines]
    assert movements[0][3] == f"#{data.lines[0].entry_id}"
    assert movements[0][4] == format_minor(data.lines[0].amount_in)


def test_csv_in_chinese(world):
    with translation.override("zh-hans"):
        content = render_csv(build_statement(world.investor, parse_period("2026-03")))
    assert "充值" in content.decode("utf-8-sig")


def test_csv_text_cannot_become_a_formula(world):
    world.investor.first_name = "=HYPERLINK(1)"
    world.investor.save()
    content = render_csv(build_statement(world.investor, parse_period("2026-03"))).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content


def test_xlsx_parses_back_with_money_formats(world):
    data = build_statement(world.investor, parse_period("2026-04"))
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    ws = wb.active
    cells = {row[0].value: row for row in ws.iter_rows() if row[0].value is not None}
    interest = cells["Interest received"][1]
    assert Decimal(str(interest.value)) == Decimal(format_minor(data.totals["interest_received"]))
    assert interest.number_format == MONEY_FORMAT
    total = next(row for row in ws.iter_rows() if row[0].value == "Total")
    assert Decimal(str(total[4].value)) == Decimal(format_minor(data.total_in))
    assert Decimal(str(total[5].value)) == Decimal(format_minor(data.total_out))
    header = next(row for row in ws.iter_rows() if row[0].value == "Date")
    assert [c.value for c in header][:6] == ["Date", "Description", "Reference", "Ledger entry", "In", "Out"]


def _pdf_text(content: bytes) -> bytes:
    """The page streams, decoded (reportlab writes them ASCII85 + Flate)."""
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        body = match.group(1).strip()
        if body.endswith(b"~>"):
            out += zlib.decompress(base64.a85decode(body[:-2]))
    return out


def _cid(text: str) -> bytes:
    """ASCII text as the CID font writes it in a page stream (two bytes a character, the zero escaped)."""
    return b"".join(b"\\000" + bytes([c]) for c in text.encode("ascii"))


def test_pdf_renders_with_totals(world):
    data = build_statement(world.investor, parse_period("2026"))
    content = render_pdf(data)
    assert content.startswith(b"%PDF") and len(content) > 2000
    text = _pdf_text(content)
    assert _cid(format_minor(data.totals["interest_received"])) in text
    assert _cid("Interest received") in text
    assert _cid(format_grouped(data.closing)) in text


def test_pdf_in_chinese_uses_the_cjk_font(world):
    with translation.override("zh-hans"):
        content = render_pdf(build_statement(world.investor, parse_period("2026-04")))
    assert content.startswith(b"%PDF") and b"STSong-Light" in content


def _pages(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?!s)", content))


def test_pdf_pages_a_long_table(world):
    from dataclasses import replace

    data = build_statement(world.investor, parse_period("2026-04"))
    assert _pages(render_pdf(data)) == 1
    assert _pages(render_pdf(replace(data, lines=data.lines * 60))) >= 3
