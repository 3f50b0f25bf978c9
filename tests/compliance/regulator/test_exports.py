"""Exports: the date range is validated with a clear 400; CSV and XLSX carry exact amounts and no formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.disclosure.regulator.exports import DATASETS
from peerlend.disclosure.regulator.ranges import MAX_RANGE_DAYS, parse_date_range
from peerlend.disclosure.regulator.writers import Amount, render_csv, render_xlsx, safe_text
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_valid_range_parses():
    assert parse_date_range("2025-01-01", "2025-12-31") == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert parse_date_range("2024-01-01", "2024-12-31")[1] == dt.date(2024, 12, 31)  # 366 days, leap year
    assert parse_date_range("2025-03-01", "2025-03-01") == (dt.date(2025, 3, 1), dt.date(2025, 3, 1))


@pytest.mark.parametrize(("start", "end", "words"), [
    ("", "2025-01-01", "both dates"),
    ("2025-01-01", None, "both dates"),
    ("2025-13-01", "2025-12-31", "YYYY-MM-DD"),
    ("01/02/2025", "2025-12-31", "YYYY-MM-DD"),
    ("2025-03-02", "2025-03-01", "starts after it ends"),
    ("2024-01-01", "2025-01-01", f"longer than {MAX_RANGE_DAYS} days"),
])
def test_a_bad_range_is_refused_with_a_clear_message(start, end, words):
    with pytest.raises(ApplicationError) as caught:
        parse_date_range(start, end)
    assert caught.value.status == 400 and caught.value.code == "invalid_range"
    assert words in caught.value.message


@pytest.mark.parametrize("query", ["from=2025-03-02&to=2025-03-01", "from=2024-01-01&to=2025-06-01", "from=x&to=y",
                                   "to=2025-01-01"])
def test_the_export_answers_400_with_the_message_and_logs_it(reg_client, query):
    response = reg_client.get(f"/regulator/exports/loans.csv?{query}")
    assert response.status_code == 400
    assert 'id="export-error"' in response.content.decode()
    row = RegulatorAccess.objects.get()
    assert row.status_code == 400 and row.filters["dataset"] == "loans"


def test_an_unknown_dataset_or_format_is_a_404(reg_client):
    assert reg_client.get("/regulator/exports/salaries.csv?from=2025-01-01&to=2025-01-31").status_code == 404
    assert reg_client.get("/regulator/exports/loans.pdf?from=2025-01-01&to=2025-01-31").status_code == 404


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_run_as_a_formula_is_quoted(text):
    assert safe_text(text).startswith("'")
    row = next(csv.reader(io.StringIO(render_csv(["a"], [[text]]).decode().splitlines()[1])))
    assert row[0].startswith("'")
    sheet = load_workbook(io.BytesIO(render_xlsx("t", ["a"], [[text]]))).active
    assert sheet.cell(row=2, column=1).data_type == "s" and str(sheet.cell(row=2, column=1).value).startswith("'")


def test_amounts_are_exact_major_units():
    data = render_csv(["amount", "n"], [[Amount(123456789), 3]]).decode()
    assert data.splitlines()[1] == "1234567.89,3"
    sheet = load_workbook(io.BytesIO(render_xlsx("t", ["amount"], [[Amount(1)]]))).active
    assert str(sheet.cell(row=2, column=1).value) == "0.01"


def _disbursed_loan(day: dt.date) -> Loan:
    from peerlend.lending import services as lending
    from peerlend.lending.models import Loan as LoanModel
    from tests.lending.conftest import application

    borrower = make_user(roles=("borrower",))
    loan = lending.submit_application(borrower=borrower, data=application(amount_minor=5_000_00))
    # A disbursed loan's dates and balance, set directly: the export reads rows, it does not run servicing.
    LoanModel.objects.filter(pk=loan.pk).update(disbursed_on=day, principal_outstanding_minor=4_000_00)
    return loan


def test_the_loans_export_lists_loans_disbursed_in_the_range_only(reg_client):
    inside = _disbursed_loan(dt.date(2025, 2, 10))
    outside = _disbursed_loan(dt.date(2024, 12, 31))
    response = reg_client.get("/regulator/exports/loans.csv?from=2025-01-01&to=2025-03-31")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="peerlend-loans-2025-01-01-2025-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == DATASETS["loans"].header
    ids = [r[0] for r in rows[1:]]
    assert str(inside.pk) in ids and str(outside.pk) not in ids
    row = dict(zip(rows[0], rows[[r[0] for r in rows].index(str(inside.pk))], strict=True))
    assert (row["amount"], row["principal_outstanding"], row["disbursed_on"]) == ("5000.00", "4000.00", "2025-02-10")


@pytest.mark.parametrize("code", sorted(DATASETS))
def test_every_dataset_downloads_as_a_workbook_with_its_header(reg_client, code):
    response = reg_client.get(f"/regulator/exports/{code}.xlsx?from=2025-01-01&to=2025-03-31")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert tuple(c.value for c in sheet[1]) == DATASETS[code].header


def test_the_exports_page_offers_every_dataset(reg_client):
    page = reg_client.get("/regulator/exports/").content.decode()
    for code in DATASETS:
        assert f"/regulator/exports/{code}.csv" in page and f"/regulator/exports/{code}.xlsx" in page


def test_the_overdue_export_lists_installments_not_paid_by_their_due_date(reg_client):
    from peerlend.servicing.models import Installment

    loan = _disbursed_loan(dt.date(2025, 1, 5))

    def installment(number: int, due: dt.date, paid_on: dt.date | None, status: str) -> None:
        Installment.objects.create(loan=loan, number=number, due_date=due, principal_minor=1_000_00,
                                   interest_minor=50_00, paid_on=paid_on, status=status)

    installment(1, dt.date(2025, 2, 5), dt.date(2025, 2, 5), "paid")  # on time: not overdue
    installment(2, dt.date(2025, 3, 5), dt.date(2025, 3, 9), "paid")  # paid 4 days late
    installment(3, dt.date(2025, 3, 20), None, "overdue")  # unpaid on the business date (2025-03-31)
    installment(4, dt.date(2025, 4, 5), None, "scheduled")  # not due yet, and outside the range
    response = reg_client.get("/regulator/exports/overdue.csv?from=2025-01-01&to=2025-03-31")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["installment"], r["days_late"], r["principal"]) for r in rows] == [("2", "4", "1000.00"),
                                                                                 ("3", "11", "1000.00")]


def test_repayments_and_compensation_are_split_by_kind_and_date(reg_client):
    from peerlend.ledger.services import platform_account, post_entry
    from peerlend.servicing.models import ServicingPayment

    loan = _disbursed_loan(dt.date(2025, 1, 5))

    def payment(kind: str, day: dt.date, amount: int) -> ServicingPayment:
        # A stand-in balanced entry: the export reads the payment rows, not the postings.
        entry = post_entry(kind=kind, lines=[(platform_account("suspense"), -amount),
                                             (platform_account("fee_income"), amount)],
                           reference=f"test:{kind}:{day}:{amount}")
        return ServicingPayment.objects.create(loan=loan, kind=kind, amount_minor=amount, entry=entry,
                                               business_date=day, principal_to_notes_minor=amount)

    repaid = payment("repayment", dt.date(2025, 2, 5), 1_050_00)
    compensated = payment("compensation", dt.date(2025, 3, 6), 1_000_00)
    payment("repayment", dt.date(2025, 4, 5), 1_050_00)  # after the range
    repayments = list(csv.DictReader(io.StringIO(reg_client.get(
        "/regulator/exports/repayments.csv?from=2025-01-01&to=2025-03-31").content.decode())))
    compensation = list(csv.DictReader(io.StringIO(reg_client.get(
        "/regulator/exports/compensation.csv?from=2025-01-01&to=2025-03-31").content.decode())))
    assert [(r["payment"], r["amount"]) for r in repayments] == [(str(repaid.pk), "1050.00")]
    assert [(r["payment"], r["kind"], r["business_date"]) for r in compensation] == [
        (str(compensated.pk), "compensation", "2025-03-06")]
