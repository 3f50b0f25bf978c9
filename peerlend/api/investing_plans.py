"""API routes of the investing context: lock-in wealth plans (thin: parse, call a service or selector, shape).

The list and a plan's terms are public (like the loan listing); joining moves money, so it needs
an ``Idempotency-Key`` (shared with the page: one scope per action). The expected rate band is
expected, never promised: ``risk_notice`` says so in every plan answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from peerlend.api.auth import api_auth
from peerlend.api.base import money_field_minor
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.domain.money import format_minor
from peerlend.investing.models_plans import WealthPlan
from peerlend.investing.plans import selectors, services
from peerlend.investing.plans.selectors import SubscriptionView

router = Router(tags=["investing"])


def risk_notice() -> str:
    return _("A wealth plan makes no promise of principal or return: the rate band is an expectation only, "
             "and you may lose money.")


class PlanOut(Schema):
    id: int
    name: str
    status: str
    target: str
    subscribed: str
    subscribers: int
    subscribe_from: date
    subscribe_until: date
    lock_months: int
    lock_starts_on: date
    lock_ends_on: date
    exit_months: int
    latest_maturity: date = Field(..., description="the plan buys only loans maturing by this date (no term splitting)")
    expected_rate_low: str = Field(..., description="expected annual rate, low end (decimal); not promised")
    expected_rate_high: str = Field(..., description="expected annual rate, high end (decimal); not promised")
    grades: list[str]
    max_share_bp: int = Field(..., description="most of one loan the plan buys, basis points")
    min_subscription: str
    max_subscription: str
    risk_notice: str


def plan_out(plan: WealthPlan) -> dict[str, Any]:
    return {
        "id": plan.pk, "name": plan.name, "status": plan.status, "target": format_minor(plan.target_minor),
        "subscribed": format_minor(int(getattr(plan, "subscribed_minor", 0) or 0)),
        "subscribers": int(getattr(plan, "subscribers", 0) or 0),
        "subscribe_from": plan.subscribe_from, "subscribe_until": plan.subscribe_until,
        "lock_months": plan.lock_months, "lock_starts_on": plan.lock_starts_on, "lock_ends_on": plan.lock_ends_on,
        "exit_months": plan.exit_months, "latest_maturity": plan.latest_maturity,
        "expected_rate_low": str(plan.expected_rate_low), "expected_rate_high": str(plan.expected_rate_high),
        "grades": list(plan.grades), "max_share_bp": plan.max_share_bp,
        "min_subscription": format_minor(plan.min_subscription_minor),
        "max_subscription": format_minor(plan.max_subscription_minor), "risk_notice": risk_notice(),
    }


class SubscribeIn(Schema):
    amount: Any = Field(..., description='CNY as a decimal string ("1000.00"): a multiple of the note unit '
                                         "within the plan's min_subscription..max_subscription")
    reinvest: bool = Field(..., description="true: receipts go back into plan money during lock-in; false: paid out")


class SubscriptionOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    status: str
    reinvest: bool
    amount: str
    invested: str
    uninvested: str
    reinvested: str
    notes: int
    principal_outstanding: str
    interest_received: str
    joined_on: date
    ended_on: date | None


def subscription_out(view: SubscriptionView) -> dict[str, Any]:
    sub = view.subscription
    return {
        "id": sub.pk, "plan_id": sub.plan_id, "plan_name": sub.plan.name, "status": sub.status,
        "reinvest": sub.reinvest, "amount": format_minor(sub.amount_minor),
        "invested": format_minor(sub.invested_minor), "uninvested": format_minor(sub.uninvested_minor),
        "reinvested": format_minor(sub.reinvested_minor), "notes": view.notes,
        "principal_outstanding": format_minor(view.principal_outstanding_minor),
        "interest_received": format_minor(view.interest_minor), "joined_on": sub.joined_on, "ended_on": sub.ended_on,
    }


def _view_of(investor: Any, subscription_id: int) -> dict[str, Any]:
    return next(subscription_out(v) for v in selectors.subscriptions_of(investor)
                if v.subscription.pk == subscription_id)


# The fixed path is registered before /plans/{plan_id} so that "subscriptions" is never read as an id.
@router.get("/investing/plans/subscriptions", response=list[SubscriptionOut], auth=api_auth,
            url_name="plan_subscriptions")
def my_plan_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [subscription_out(v) for v in selectors.subscriptions_of(request.user)]


@router.post("/investing/plans/subscriptions/{subscription_id}/leave",
             response={200: SubscriptionOut, API_ERRORS: ApiError}, auth=api_auth, url_name="plan_leave")
def leave_plan(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    services.leave(investor=request.user, subscription_id=subscription_id)  # type: ignore[arg-type]
    return _view_of(request.user, subscription_id)


@router.get("/investing/plans", response=list[PlanOut], url_name="plans")
def list_plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [plan_out(p) for p in selectors.public_plans()]


@router.get("/investing/plans/{plan_id}", response={200: PlanOut, API_ERRORS: ApiError}, url_name="plan")
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return plan_out(selectors.plan_for_viewer(plan_id, None))


@router.post("/investing/plans/{plan_id}/subscriptions", response={201: SubscriptionOut, API_ERRORS: ApiError},
             auth=api_auth, url_name="plan_subscribe")
def subscribe_plan(request: HttpRequest, plan_id: int, payload: SubscribeIn) -> Status:
    from peerlend.ledger.idempotency import key_from_request

    # Required here ("" is refused as missing); the service keeps one scope per action, shared with the page.
    sub = services.subscribe(investor=request.user, plan_id=plan_id,  # type: ignore[arg-type]
                             amount_minor=money_field_minor(payload.amount), reinvest=payload.reinvest,
                             idempotency_key=key_from_request(request) or "")
    return Status(201, _view_of(request.user, sub.pk))
