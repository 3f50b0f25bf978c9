"""The signed monthly filing: every snapshot figure recomputed from the filed records; the signature holds."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from peerlend.clock import set_business_date
from peerlend.disclosure.filing.export import filing_lines, verify
from peerlend.disclosure.monthly.figures import AS_OF_RUN, compute
from tests.disclosure.monthly.conftest import END, MONTH_ENDS, Book
from tests.disclosure.monthly.filed_figures import figures_from_filing


def test_every_figure_recomputes_from_the_filing(book: Book, tmp_path: Path) -> None:
    for month_end in MONTH_ENDS:
        data = b"".join(filing_lines(month_end.replace(day=1)))
        assert verify(data)
        assert figures_from_filing(data) == compute(month_end), month_end
    # The command writes the same bytes; PII never appears, members are pseudonyms.
    set_business_date(END)
    out = tmp_path / "2026-08.jsonl"
    call_command("file_data", "--month", "2026-08", "--out", str(out))
    data = out.read_bytes()
    assert data == b"".join(filing_lines(MONTH_ENDS[-1].replace(day=1)))
    kinds = {json.loads(line)["record"] for line in data.splitlines()}
    assert kinds == {"header", "loan", "note", "repayment", "signature"}
    assert book.payer.borrower.username.encode() not in data
    assert set(compute(MONTH_ENDS[-1])) >= AS_OF_RUN
    # A changed byte breaks the signature.
    tampered = data.replace(b'"funded_minor":', b'"funded_minor":1', 1)
    assert tampered != data and not verify(tampered)
