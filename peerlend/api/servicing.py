"""API routes of the servicing context (thin: parse, call a service or selector, shape the answer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from peerlend.amount_input import parse_amount_input
from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.clock import business_date
from peerlend.domain.money import format_minor
from peerlend.errors import NotFound, PermissionDenied
from peerlend.ledger.idempotency import key_from_request
from peerlend.lending.models import Loan
from peerlend.servicing import selectors, services

router = Router(tags=["servicing"])


class AmountIn(Schema):
    amount: Any = None


def _amount(value: Any, *, required: bool = True) -> int | None:
    """As the pages read it: an optional amount left out or blank means "none given"."""
    if not required and (value is None or (isinstance(value, str) and not value.strip())):
        return None
    return parse_amount_input(value)


def _key(request: HttpRequest) -> str:
    # Required on these routes ("" is refused as missing); the service takes it, in the page's scope.
    return key_from_request(request) or ""


@router.post("/loans/{loan_id}/repayments", auth=api_auth, response={201: dict, API_ERRORS: ApiError})
def repay(request: HttpRequest, loan_id: int, payload: AmountIn) -> Status:
    """Pay what is due (and the next installment) from the available balance; excess stays available."""
    amount = _amount(payload.amount)
    assert amount is not None
    result = services.repay(actor=request.user, loan_id=loan_id, amount_minor=amount,  # type: ignore[arg-type]
                            idempotency_key=_key(request))
    return Status(201, result.as_dict())


@router.post("/loans/{loan_id}/prepayments", auth=api_auth, response={201: dict, API_ERRORS: ApiError})
def prepay(request: HttpRequest, loan_id: int, payload: AmountIn) -> Status:
    """Prepay in full (no amount) or in part (amount; the term shortens)."""
    amount = _amount(payload.amount, required=False)
    result = services.prepay(actor=request.user, loan_id=loan_id, amount_minor=amount,  # type: ignore[arg-type]
                             idempotency_key=_key(request))
    return Status(201, result.as_dict())


@router.get("/loans/{loan_id}/prepayment-quote", auth=api_auth)
def quote(request: HttpRequest, loan_id: int) -> dict[str, str]:
    return services.quote_for(request.user, loan_id).as_dict()  # type: ignore[arg-type]


@router.get("/loans/{loan_id}/schedule", auth=api_auth)
def schedule(request: HttpRequest, loan_id: int) -> list[dict[str, Any]]:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(f"loan {loan_id} does not exist")
    user: Any = request.user
    # Collections staff see the loans they work on (behind on payments), as on the page.
    collecting = user.has_role("collections") and loan.status in services.COLLECTIBLE
    if user.pk != loan.borrower_id and not collecting and not loan.notes.filter(investor=user).exists():
        raise PermissionDenied("only the loan's parties can see its schedule", code="not_party")
    return [
        {"number": v.inst.number, "due_date": v.inst.due_date.isoformat(), "state": v.state,
         "principal": format_minor(v.inst.principal_minor), "interest": format_minor(v.inst.interest_minor),
         "late_fee": format_minor(v.inst.late_fee_minor), "penalty": format_minor(v.inst.penalty_minor),
         "owed": format_minor(v.inst.due_minor)}
        for v in selectors.schedule_view(loan, business_date())
    ]
