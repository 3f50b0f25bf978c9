"""API routes of the marketplace: apply, browse, invest, cancel, review (thin)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.responses import codes_4xx

from peerlend.api.auth import api_auth
from peerlend.api.base import money_field_minor
from peerlend.domain.money import format_minor
from peerlend.lending import selectors, services
from peerlend.lending.models import Loan, Note

router = Router(tags=["lending"])


class ApplicationIn(Schema):
    amount: Any = Field(..., description='major units as a decimal string, e.g. "20000.00"')
    term_months: int
    repayment_method: str
    purpose: str
    annual_income: Any
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=4000)
    borrower_type: str = "person"
    employment_years: int | None = None
    housing: str = "rent"
    monthly_debt_payments: Any = "0.00"
    region: str = Field("", max_length=20)
    delinq_2yrs: int = 0
    inq_last_6mths: int = 0
    inq_last_12m: int | None = None
    revol_util_pct: Decimal | None = None
    all_util_pct: Decimal | None = None
    acc_now_delinq: int = 0
    open_il_6m: int | None = None
    open_il_12m: int | None = None
    open_il_24m: int | None = None
    num_il_tl: int | None = None


class LoanOut(Schema):
    id: int
    status: str
    title: str
    amount: str
    funded: str
    remaining: str
    term_months: int
    repayment_method: str
    purpose: str
    grade: str
    annual_rate: str | None
    channel: str
    list_expires_on: date | None
    decision_reason: str


class InvestIn(Schema):
    amount: Any


class NoteOut(Schema):
    id: int
    loan_id: int
    amount: str
    status: str
    principal_outstanding: str


class ErrorOut(Schema):
    detail: str
    code: str


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)
    version: int | None = None


def loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "status": loan.status,
        "title": loan.title,
        "amount": format_minor(loan.amount_minor),
        "funded": format_minor(loan.funded_minor),
        "remaining": format_minor(loan.remaining_minor),
        "term_months": loan.term_months,
        "repayment_method": loan.repayment_method,
        "purpose": loan.purpose,
        "grade": loan.grade,
        "annual_rate": str(loan.annual_rate) if loan.annual_rate is not None else None,
        "channel": loan.channel,
        "list_expires_on": loan.list_expires_on,
        # Borrowers see why they were rejected; the reason is theirs, not a secret.
        "decision_reason": loan.decision_reason,
    }


def note_out(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "loan_id": note.loan_id,
        "amount": format_minor(note.amount_minor),
        "status": note.status,
        "principal_outstanding": format_minor(note.principal_outstanding_minor),
    }


@router.post("/loans", response={201: LoanOut}, auth=api_auth)
def apply(request: HttpRequest, payload: ApplicationIn) -> Status:
    data = payload.dict()
    amount = money_field_minor(data.pop("amount"))
    income = money_field_minor(data.pop("annual_income"), "annual_income")
    debts = data.pop("monthly_debt_payments")
    debt_minor = 0 if debts in ("0", "0.00", 0) else money_field_minor(debts, "monthly_debt_payments")
    loan = services.submit_application(
        borrower=request.user,  # type: ignore[arg-type]
        data=services.ApplicationInput(
            amount_minor=amount, annual_income_minor=income, monthly_debt_payments_minor=debt_minor, **data
        ),
    )
    return Status(201, loan_out(loan))


@router.get("/loans", response=list[LoanOut])
def list_loans(request: HttpRequest, grade: str = "", term: str = "", min_rate: str = "", max_rate: str = "",
               purpose: str = "", sort: str = "newest", page: int = 1) -> list[dict[str, Any]]:
    f = selectors.MarketFilter.from_query(
        {"grade": grade, "term": term, "min_rate": min_rate, "max_rate": max_rate, "purpose": purpose, "sort": sort}
    )
    page = max(page, 1)
    return [loan_out(loan) for loan in selectors.marketplace(f)[(page - 1) * 20: page * 20]]


@router.get("/loans/mine", response=list[LoanOut], auth=api_auth)
def my_loans(request: HttpRequest) -> list[dict[str, Any]]:
    return [loan_out(loan) for loan in selectors.loans_of_borrower(request.user)]  # type: ignore[arg-type]


@router.get("/loans/{loan_id}", response=LoanOut, auth=api_auth)
def get_loan(request: HttpRequest, loan_id: int) -> dict[str, Any]:
    services.expire_if_due(loan_id)
    return loan_out(selectors.loan_for_viewer(loan_id, request.user))  # type: ignore[arg-type]


@router.post("/loans/{loan_id}/investments", response={201: NoteOut, codes_4xx: ErrorOut}, auth=api_auth)
def invest(request: HttpRequest, loan_id: int, payload: InvestIn) -> Status:
    from peerlend.ledger.idempotency import key_from_request, run_idempotent

    def action() -> tuple[int, dict[str, Any]]:
        note = services.invest(investor=request.user, loan_id=loan_id, amount_minor=money_field_minor(payload.amount))  # type: ignore[arg-type]
        return 201, note_out(note)

    return Status(*run_idempotent(
        user=request.user,
        key=key_from_request(request),
        scope=f"invest:{loan_id}",
        payload={"loan_id": loan_id, "amount": payload.amount},
        action=action,
    ))


@router.post("/loans/{loan_id}/cancel", response=LoanOut, auth=api_auth)
def cancel(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    return loan_out(services.cancel(actor=request.user, loan_id=loan_id, reason=payload.reason))  # type: ignore[arg-type]


@router.get("/notes", response=list[NoteOut], auth=api_auth)
def my_notes(request: HttpRequest) -> list[dict[str, Any]]:
    return [note_out(n) for n in selectors.notes_of_investor(request.user)]  # type: ignore[arg-type]


@router.get("/reviews", response=list[LoanOut], auth=api_auth)
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    from peerlend.accounts.services import require_role

    require_role(request.user, "risk_officer")
    return [loan_out(loan) for loan in selectors.review_queue()]


@router.post("/reviews/{loan_id}/approve", response=LoanOut, auth=api_auth)
def approve(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.approve(officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version)  # type: ignore[arg-type]
    return loan_out(loan)


@router.post("/reviews/{loan_id}/reject", response=LoanOut, auth=api_auth)
def reject(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.reject(officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version)  # type: ignore[arg-type]
    return loan_out(loan)


@router.post("/reviews/{loan_id}/request-documents", response=LoanOut, auth=api_auth)
def request_documents(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.request_documents(
        officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version  # type: ignore[arg-type]
    )
    return loan_out(loan)
