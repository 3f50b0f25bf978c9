"""API routes of the marketplace: apply, browse, invest, cancel, review (thin)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from peerlend.api.auth import api_auth
from peerlend.api.base import money_field_minor
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.clock import business_date
from peerlend.domain.money import format_minor
from peerlend.errors import NotFound, PermissionDenied
from peerlend.lending import selectors, services
from peerlend.lending.cancellation import cancelled_message, refunds_of
from peerlend.lending.decision_note import decision_note_for
from peerlend.lending.models import Loan, Note

router = Router(tags=["lending"])


def _ranged(name: str, default: Any, description: str) -> Any:
    """A count with its documented range (services.FACT_RANGES; the service enforces the same)."""
    lo, hi = services.FACT_RANGES[name]
    return Field(default, ge=lo, le=hi, description=f"{description} ({lo}..{hi})")


def _percent(description: str) -> Any:
    return Field(None, ge=0, le=services.MAX_UTILISATION_PCT, allow_inf_nan=False,
                 description=f"{description}, percent (0..{services.MAX_UTILISATION_PCT}; finite)")


class ApplicationIn(Schema):
    amount: Any = Field(..., description='major units as a decimal string, e.g. "20000.00"')
    term_months: int = _ranged("term_months", ..., "term in months")
    repayment_method: str
    purpose: str
    annual_income: Any = Field(..., description=(
        'major units as a decimal string, more than 0 and at most '
        f'{format_minor(services.MAX_ANNUAL_INCOME_MINOR)}'))
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=4000)
    borrower_type: str | None = Field(
        None, description="optional: the borrower type comes from the verified identity (KYC); "
                          "if sent it must match it, else 400 borrower_type_mismatch")
    employment_years: int | None = _ranged("employment_years", None, "years employed")
    housing: str = "rent"
    monthly_debt_payments: Any = Field("0.00", description=(
        f'major units as a decimal string, at most {format_minor(services.MAX_MONTHLY_DEBT_MINOR)}'))
    region: str = Field("", max_length=20)
    delinq_2yrs: int = _ranged("delinq_2yrs", 0, "late payments (30+ days) in the last 2 years")
    inq_last_6mths: int = _ranged("inq_last_6mths", 0, "credit inquiries in the last 6 months")
    inq_last_12m: int | None = _ranged("inq_last_12m", None, "credit inquiries in the last 12 months")
    revol_util_pct: Decimal | None = _percent("credit card utilisation")
    all_util_pct: Decimal | None = _percent("utilisation of all credit lines")
    acc_now_delinq: int = _ranged("acc_now_delinq", 0, "accounts now delinquent")
    open_il_6m: int | None = _ranged("open_il_6m", None, "installment loans opened in the last 6 months")
    open_il_12m: int | None = _ranged("open_il_12m", None, "installment loans opened in the last 12 months")
    open_il_24m: int | None = _ranged("open_il_24m", None, "installment loans opened in the last 24 months")
    num_il_tl: int | None = _ranged("num_il_tl", None, "installment loans ever held")


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
    listing_closed: bool = Field(..., description=(
        "true when the funding window has passed: no more investments; the status stays \"listed\" until "
        "the daily job expires the listing and refunds every investor"))
    decision_reason: str = Field(..., description=(
        "the risk officer's decision note: staff who review or oversee loans only; the borrower gets a "
        "generic label; empty for everyone else and always empty in the public listing"))


class InvestIn(Schema):
    amount: Any
    coupon_code: str | None = Field(None, max_length=32,
                                    description="an investment coupon of yours (cash voucher or rate boost)")


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


def loan_out(loan: Loan, viewer: Any = None, today: date | None = None) -> dict[str, Any]:
    """The loan as the API shows it to ``viewer`` (None: the public, e.g. the listing) on business day ``today``."""
    return {
        "id": loan.pk,
        "status": loan.status,
        "title": loan.headline,
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
        "listing_closed": selectors.listing_closed(loan, today or business_date()),
        # The officer's free text is staff-only (see lending.decision_note); the borrower gets a label.
        "decision_reason": decision_note_for(loan, viewer),
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
    return Status(201, loan_out(loan, request.user))


@router.get("/loans", response=list[LoanOut])
def list_loans(
    request: HttpRequest, grade: str = "",
    term: str = Query("", description=f"term in months ({services.MIN_TERM_MONTHS}..{services.MAX_TERM_MONTHS})"),
    min_rate: str = Query("", description="lowest annual rate, percent (0..100), e.g. 8.5"),
    max_rate: str = Query("", description="highest annual rate, percent (0..100)"),
    purpose: str = "", sort: str = "newest",
    page: int = Query(1, ge=1, le=selectors.MAX_PAGE, description=f"20 loans a page (1..{selectors.MAX_PAGE})"),
) -> list[dict[str, Any]]:
    # A filter that is not a finite number in range is a 400 invalid_filter (selectors.MarketFilter).
    f = selectors.MarketFilter.from_query(
        {"grade": grade, "term": term, "min_rate": min_rate, "max_rate": max_rate, "purpose": purpose, "sort": sort}
    )
    today = business_date()
    return [loan_out(loan, today=today) for loan in selectors.marketplace(f)[(page - 1) * 20: page * 20]]


@router.get("/loans/mine", response=list[LoanOut], auth=api_auth)
def my_loans(request: HttpRequest) -> list[dict[str, Any]]:
    return [loan_out(loan, request.user) for loan in selectors.loans_of_borrower(request.user)]  # type: ignore[arg-type]


@router.get("/loans/{loan_id}", response=LoanOut, auth=api_auth)
def get_loan(request: HttpRequest, loan_id: int) -> dict[str, Any]:
    # A read never expires a listing (run-day and expire-listings do); listing_closed says it is closed.
    return loan_out(selectors.loan_for_viewer(loan_id, request.user), request.user)  # type: ignore[arg-type]


@router.post("/loans/{loan_id}/investments", response={201: NoteOut, API_ERRORS: ApiError}, auth=api_auth)
def invest(request: HttpRequest, loan_id: int, payload: InvestIn) -> Status:
    from peerlend.ledger.idempotency import key_from_request

    # Required here ("" is refused as missing); the service keeps one scope per action, shared with the page.
    key = key_from_request(request) or ""
    note = services.invest(investor=request.user, loan_id=loan_id,  # type: ignore[arg-type]
                           amount_minor=money_field_minor(payload.amount), idempotency_key=key,
                           coupon_code=payload.coupon_code)
    return Status(201, note_out(note))


class CancelOut(LoanOut):
    message: str = Field(..., description="what the cancellation did, refunds included (none without investors)")
    refunded_investors: int
    refunded: str


@router.post("/loans/{loan_id}/cancel", response=CancelOut, auth=api_auth)
def cancel(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    from peerlend.ledger.idempotency import key_from_request

    # An Idempotency-Key, when sent, makes a retry return the first answer (one refund).
    loan = services.cancel(actor=request.user, loan_id=loan_id, reason=payload.reason,  # type: ignore[arg-type]
                           idempotency_key=key_from_request(request))
    refunds = refunds_of(loan)
    return {**loan_out(loan, request.user), "message": cancelled_message(loan),
            "refunded_investors": refunds.investors, "refunded": format_minor(refunds.amount_minor)}


@router.get("/notes", response=list[NoteOut], auth=api_auth)
def my_notes(request: HttpRequest) -> list[dict[str, Any]]:
    return [note_out(n) for n in selectors.notes_of_investor(request.user)]  # type: ignore[arg-type]


@router.get("/reviews", response=list[LoanOut], auth=api_auth)
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    from peerlend.accounts.services import require_role

    require_role(request.user, "risk_officer")
    return [loan_out(loan, request.user) for loan in selectors.review_queue()]


@router.post("/reviews/{loan_id}/approve", response=LoanOut, auth=api_auth)
def approve(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.approve(officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version)  # type: ignore[arg-type]
    return loan_out(loan, request.user)


@router.post("/reviews/{loan_id}/reject", response=LoanOut, auth=api_auth)
def reject(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.reject(officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version)  # type: ignore[arg-type]
    return loan_out(loan, request.user)


@router.post("/reviews/{loan_id}/request-documents", response=LoanOut, auth=api_auth)
def request_documents(request: HttpRequest, loan_id: int, payload: ReasonIn) -> dict[str, Any]:
    loan = services.request_documents(
        officer=request.user, loan_id=loan_id, reason=payload.reason, version=payload.version  # type: ignore[arg-type]
    )
    return loan_out(loan, request.user)


# Two optional file parts of a multipart body (the page form has the same two).
_INCOME_FILE = File(None, description="proof of income")
_OTHER_FILE = File(None, description="any other document asked for")


@router.post("/loans/{loan_id}/documents", response=LoanOut, auth=api_auth,
             summary="Upload requested documents (multipart: income and/or other; PDF, JPEG or PNG, 5 MB each)")
def provide_documents(request: HttpRequest, loan_id: int, income: UploadedFile | None = _INCOME_FILE,
                      other: UploadedFile | None = _OTHER_FILE) -> dict[str, Any]:
    """The borrower answers "documents requested"; the application returns to review."""
    parties = Loan.objects.filter(pk=loan_id).values_list("borrower_id", "agent_id").first()
    if parties is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if request.user.pk not in parties:  # before any upload is read; the service checks again
        raise PermissionDenied(_("only the applicant or their agent can add documents"), code="not_owner")
    documents = [services.UploadedDocument(kind, upload.name or "document", upload.content_type or "",
                                           upload.read(services.MAX_DOCUMENT_BYTES + 1))
                 for kind, upload in (("income", income), ("other", other)) if upload is not None]
    loan = services.provide_documents(actor=request.user, loan_id=loan_id, documents=documents)  # type: ignore[arg-type]
    return loan_out(loan, request.user)


class GradeQuoteOut(Schema):
    grade: str
    annual_rate: str
    origination_fee_rate: str
    origination_fee: str
    amount_received: str
    first_payment: str
    last_payment: str
    total_interest: str
    total_cost: str = Field(..., description="all interest plus the origination fee")
    apr: str = Field(..., description="effective annual rate including fees (XIRR of the borrower's cash flows)")


class QuoteOut(Schema):
    amount: str
    term_months: int
    repayment_method: str
    basis: str = Field(..., description=(
        "grade_range: one row per grade band, best (A1) to worst (E5), each at the grade's representative PD; "
        "the applicant's own grade is set by scoring after the application is submitted"))
    grades: list[GradeQuoteOut]


@router.get("/quote", response={200: QuoteOut, API_ERRORS: ApiError})
def loan_quote(
    request: HttpRequest,
    amount: str = Query("", description='major units as a decimal string, e.g. "30000.00"'),
    term_months: str = Query("", description=f"{services.MIN_TERM_MONTHS}..{services.MAX_TERM_MONTHS}"),
    repayment_method: str = Query("equal_installment"),
) -> Status:
    """The price of a loan before applying, for each grade band (public; reads only, scores nothing)."""
    from peerlend.lending import quote

    q = quote.apply_quote(quote.parse_quote_request(
        {"amount": amount, "term_months": term_months, "repayment_method": repayment_method}))
    return Status(200, {
        "amount": format_minor(q.request.amount_minor),
        "term_months": q.request.term_months,
        "repayment_method": q.request.method,
        "basis": "grade_range",
        "grades": [{
            "grade": r.grade,
            "annual_rate": str(r.annual_rate),
            "origination_fee_rate": str(r.origination_fee_rate),
            "origination_fee": format_minor(r.fee_minor),
            "amount_received": format_minor(r.received_minor),
            "first_payment": format_minor(r.first_payment_minor),
            "last_payment": format_minor(r.last_payment_minor),
            "total_interest": format_minor(r.total_interest_minor),
            "total_cost": format_minor(r.total_cost_minor),
            "apr": str(r.apr),
        } for r in q.rows],
    })
