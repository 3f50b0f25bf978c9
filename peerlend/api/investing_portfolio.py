"""API routes of the investing context: portfolio (thin: parse, call a service or selector, shape the answer).

Amounts are decimal strings of major units ("1234.56"). Rates are decimal strings of **percent**
with four places ("8.1234" is 8.1234 % a year), or null when undefined (the page shows "New"):
``nar_pct`` (Lending Club's net annualized return), ``adjusted_nar_pct`` (NAR after the expected
loss on late notes) and ``xirr_pct`` (the annual rate of all the investor's note cash flows).
Definitions: ``peerlend.investing.portfolio.summary``.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from peerlend.accounts.services import require_role
from peerlend.api.auth import api_auth
from peerlend.clock import business_date
from peerlend.domain.money import format_minor
from peerlend.domain.portfolio_returns import LOSS_BUCKETS
from peerlend.investing.portfolio import Group, Holding, NoteFilter, csv_rows, holdings_of, portfolio_from
from peerlend.investing.portfolio.filters import PAGE_SIZE, RANGES, page_of
from peerlend.ledger.selectors import balances

router = Router(tags=["investing"])


def _pct(rate: Decimal | None) -> str | None:
    if rate is None:
        return None
    return str((rate * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


class GroupOut(Schema):
    key: str
    label: str
    notes: int
    invested: str
    principal_outstanding: str
    principal_received: str
    interest_received: str
    fees_paid: str
    realised_loss: str
    expected_loss: str
    nar_pct: str | None


class LossBucketOut(Schema):
    status: str
    min_days_past_due: int
    max_days_past_due: int | None
    loss_rate: str  # a fraction: "0.25" is 25 %


class PortfolioOut(Schema):
    business_date: str
    cash_available: str
    cash_frozen: str
    account_value: str
    invested: str
    principal_outstanding: str
    accrued_interest: str
    principal_received: str
    interest_received: str
    fees_paid: str
    realised_loss: str
    expected_loss: str
    nar_pct: str | None
    adjusted_nar_pct: str | None
    xirr_pct: str | None
    notes: int
    running_notes: int
    by_grade: list[GroupOut]
    by_term: list[GroupOut]
    by_vintage: list[GroupOut]
    by_status: list[GroupOut]
    loss_buckets: list[LossBucketOut]


class HoldingOut(Schema):
    id: int
    loan_id: int
    loan_title: str
    grade: str
    term_months: int
    annual_rate_pct: str | None
    vintage: str
    status: str
    days_past_due: int
    auto_invested: bool
    placed_on: str | None
    amount: str
    principal_outstanding: str
    principal_received: str
    interest_received: str
    fees_paid: str
    charged_off: str
    accrued_interest: str
    expected_loss: str


class NotesPageOut(Schema):
    page: int
    page_size: int
    total: int
    notes: list[HoldingOut]


class ErrorOut(Schema):
    detail: str
    code: str


def _group(g: Group) -> dict[str, Any]:
    return {"key": g.key, "label": g.label, "notes": g.notes, "invested": format_minor(g.invested_minor),
            "principal_outstanding": format_minor(g.principal_outstanding_minor),
            "principal_received": format_minor(g.principal_received_minor),
            "interest_received": format_minor(g.interest_received_minor), "fees_paid": format_minor(g.fees_paid_minor),
            "realised_loss": format_minor(g.realised_loss_minor), "expected_loss": format_minor(g.expected_loss_minor),
            "nar_pct": _pct(g.nar)}


def _holding(h: Holding) -> dict[str, Any]:
    return {
        "id": h.note_id, "loan_id": h.loan_id, "loan_title": h.loan_title, "grade": h.grade,
        "term_months": h.term_months, "annual_rate_pct": _pct(h.annual_rate), "vintage": h.vintage,
        "status": h.status, "days_past_due": h.days_past_due, "auto_invested": h.auto_invested,
        "placed_on": h.placed_on.isoformat() if h.placed_on else None, "amount": format_minor(h.amount_minor),
        "principal_outstanding": format_minor(h.principal_outstanding_minor),
        "principal_received": format_minor(h.principal_received_minor),
        "interest_received": format_minor(h.interest_received_minor), "fees_paid": format_minor(h.fees_paid_minor),
        "charged_off": format_minor(h.charged_off_minor), "accrued_interest": format_minor(h.accrued_interest_minor),
        "expected_loss": format_minor(h.expected_loss_minor),
    }


def _investor(request: HttpRequest) -> Any:
    require_role(request.user, "investor")  # 403 forbidden_role otherwise
    return request.user


@router.get("/investing/portfolio", response={200: PortfolioOut, 403: ErrorOut}, auth=api_auth,
            url_name="investing_portfolio")
def portfolio(request: HttpRequest) -> dict[str, Any]:
    """The investor's portfolio: cash, principal, income, losses, NAR, adjusted NAR, XIRR and breakdowns."""
    investor = _investor(request)
    today = business_date()
    cash = balances(investor)
    p = portfolio_from(holdings_of(investor.pk, today), today, (cash.available_minor, cash.frozen_minor))
    return {
        "business_date": today.isoformat(), "cash_available": format_minor(p.cash_available_minor),
        "cash_frozen": format_minor(p.cash_frozen_minor), "account_value": format_minor(p.account_value_minor),
        "invested": format_minor(p.invested_minor),
        "principal_outstanding": format_minor(p.principal_outstanding_minor),
        "accrued_interest": format_minor(p.accrued_interest_minor),
        "principal_received": format_minor(p.principal_received_minor),
        "interest_received": format_minor(p.interest_received_minor), "fees_paid": format_minor(p.fees_paid_minor),
        "realised_loss": format_minor(p.realised_loss_minor), "expected_loss": format_minor(p.expected_loss_minor),
        "nar_pct": _pct(p.nar), "adjusted_nar_pct": _pct(p.adjusted_nar), "xirr_pct": _pct(p.xirr),
        "notes": p.notes, "running_notes": p.running_notes,
        "by_grade": [_group(g) for g in p.by_grade], "by_term": [_group(g) for g in p.by_term],
        "by_vintage": [_group(g) for g in p.by_vintage], "by_status": [_group(g) for g in p.by_status],
        "loss_buckets": [{"status": b.code, "min_days_past_due": b.min_days, "max_days_past_due": b.max_days,
                          "loss_rate": str(b.loss_rate)} for b in LOSS_BUCKETS],
    }


def _filter(status: str, grade: str, term: str, vintage: str, loan: str, page: str) -> NoteFilter:
    # Any value out of its range is a 400 invalid_filter naming the field (NoteFilter.from_query).
    return NoteFilter.from_query({"status": status, "grade": grade, "term": term, "vintage": vintage,
                                  "loan": loan, "page": page})


@router.get("/investing/notes", response={200: NotesPageOut, 400: ErrorOut, 403: ErrorOut}, auth=api_auth,
            url_name="investing_notes")
def notes(
    request: HttpRequest,
    status: str = Query("", description=RANGES["status"]), grade: str = Query("", description=RANGES["grade"]),
    term: str = Query("", description=RANGES["term"]), vintage: str = Query("", description=RANGES["vintage"]),
    loan: str = Query("", description=RANGES["loan"]), page: str = Query("", description=RANGES["page"]),
) -> dict[str, Any]:
    """The investor's notes, newest first, filtered and paged; a bad filter is 400 ``invalid_filter``."""
    investor = _investor(request)
    f = _filter(status, grade, term, vintage, loan, page)
    rows = f.apply(holdings_of(investor.pk, business_date()))
    return {"page": f.page, "page_size": PAGE_SIZE, "total": len(rows),
            "notes": [_holding(h) for h in page_of(rows, f.page)]}


@router.get("/investing/notes.csv", response={200: None, 400: ErrorOut, 403: ErrorOut}, auth=api_auth,
            url_name="investing_notes_csv")
def notes_csv(
    request: HttpRequest,
    status: str = Query("", description=RANGES["status"]), grade: str = Query("", description=RANGES["grade"]),
    term: str = Query("", description=RANGES["term"]), vintage: str = Query("", description=RANGES["vintage"]),
    loan: str = Query("", description=RANGES["loan"]),
) -> HttpResponse:
    """The filtered notes (all of them, not a page) as CSV: amounts in major units, rates in percent."""
    investor = _investor(request)
    f = _filter(status, grade, term, vintage, loan, "")
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(f.apply(holdings_of(investor.pk, business_date()))))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="notes.csv"'
    return response
