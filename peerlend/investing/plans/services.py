"""Use cases of wealth plans that change state: the operator's plan and the investors' subscriptions.

Plan money is never pooled: joining freezes the amount in the investor's own frozen account
(kind ``plan_commit``, reference ``plan:<id>:sub:<id>``); leaving during the window releases it
(``plan_release``). Every staff change is an audit row with the old and new values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_kyc, require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, Conflict, NotFound
from peerlend.investing.models_plans import (
    PlanStatus,
    PlanSubscription,
    SubscriptionStatus,
    WealthPlan,
)
from peerlend.investing.questionnaire import GRADE_LETTERS
from peerlend.ledger import services as ledger
from peerlend.ledger.idempotency import once_per_key

STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)
# Documented ranges of a plan's terms (the pages and the API say the same).
MAX_TARGET_MINOR = 100_000_000_00
LOCK_MONTHS = (1, 36)
EXIT_MONTHS = (0, 24)
MAX_RATE = Decimal("0.36")
MAX_WINDOW_DAYS = 90
MAX_NAME = 120


def note_unit() -> int:
    return int(settings.PEERLEND["NOTE_UNIT_MINOR"])


@dataclass(frozen=True)
class PlanInput:
    name: str
    target_minor: int
    subscribe_from: date
    subscribe_until: date
    lock_months: int
    exit_months: int
    expected_rate_low: Decimal
    expected_rate_high: Decimal
    grades: list[str] = field(default_factory=list)
    max_share_bp: int = 500
    min_subscription_minor: int = 100_00
    max_subscription_minor: int = 100_000_00


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_plan", extra={"field": field_name})


def _check_money(value: int, name: str, unit: int) -> None:
    if value <= 0 or value % unit or value > MAX_TARGET_MINOR:
        raise _invalid(_("%(field)s must be a multiple of %(unit)s CNY, at most %(max)s CNY")
                       % {"field": name, "unit": format_minor(unit), "max": format_minor(MAX_TARGET_MINOR)}, name)


def validate_plan(data: PlanInput, today: date) -> None:
    """Refuse (400 ``invalid_plan``, naming the field) terms outside their documented ranges."""
    unit = note_unit()
    if not data.name.strip() or len(data.name) > MAX_NAME:
        raise _invalid(_("give the plan a name of at most %(n)d characters") % {"n": MAX_NAME}, "name")
    _check_money(data.target_minor, "target", unit)
    _check_money(data.min_subscription_minor, "min_subscription", unit)
    _check_money(data.max_subscription_minor, "max_subscription", unit)
    if not data.min_subscription_minor <= data.max_subscription_minor <= data.target_minor:
        raise _invalid(_("the subscription range must satisfy minimum ≤ maximum ≤ target size"), "max_subscription")
    if not (data.subscribe_from <= data.subscribe_until and data.subscribe_until >= today
            and (data.subscribe_until - data.subscribe_from).days <= MAX_WINDOW_DAYS):
        raise _invalid(_("the subscription window must end today or later, after it starts, and last at most "
                         "%(days)d days") % {"days": MAX_WINDOW_DAYS}, "subscribe_until")
    if not LOCK_MONTHS[0] <= data.lock_months <= LOCK_MONTHS[1]:
        raise _invalid(_("lock-in must be %(lo)d to %(hi)d months") % {"lo": LOCK_MONTHS[0], "hi": LOCK_MONTHS[1]},
                       "lock_months")
    if not EXIT_MONTHS[0] <= data.exit_months <= EXIT_MONTHS[1]:
        raise _invalid(_("the exit period must be %(lo)d to %(hi)d months") % {"lo": EXIT_MONTHS[0],
                                                                                "hi": EXIT_MONTHS[1]}, "exit_months")
    if not Decimal(0) <= data.expected_rate_low <= data.expected_rate_high <= MAX_RATE:
        raise _invalid(_("the expected rate band must satisfy 0 ≤ low ≤ high ≤ 36%"), "expected_rate_high")
    if not data.grades or any(g not in GRADE_LETTERS for g in data.grades):
        raise _invalid(_("choose the eligible grades among %(letters)s") % {"letters": ", ".join(GRADE_LETTERS)},
                       "grades")
    if not 1 <= data.max_share_bp <= 10000:
        raise _invalid(_("the maximum share of one loan must be 0.01% to 100%"), "max_share_bp")


def _terms(plan: WealthPlan) -> dict[str, Any]:
    return {"name": plan.name, "status": plan.status, "target_minor": plan.target_minor,
            "subscribe_from": plan.subscribe_from, "subscribe_until": plan.subscribe_until,
            "lock_months": plan.lock_months, "exit_months": plan.exit_months,
            "expected_rate_low": plan.expected_rate_low, "expected_rate_high": plan.expected_rate_high,
            "grades": plan.grades, "max_share_bp": plan.max_share_bp,
            "min_subscription_minor": plan.min_subscription_minor,
            "max_subscription_minor": plan.max_subscription_minor}


@transaction.atomic
def define_plan(*, actor: User, data: PlanInput) -> WealthPlan:
    """A new plan in draft (operators and administrators)."""
    require_role(actor, *STAFF_ROLES)
    validate_plan(data, business_date())
    values = asdict(data)
    values["grades"] = sorted(set(data.grades))
    plan = WealthPlan.objects.create(created_by=actor, **values)
    record_audit(actor=actor, action="investing.plan_defined", target=plan, new=_terms(plan))
    return plan


def _locked_plan(plan_id: int) -> WealthPlan:
    plan = WealthPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(id)s does not exist") % {"id": plan_id}, code="plan_not_found")
    return plan


def _set_status(plan: WealthPlan, status: str, actor: User | None, action: str, reason: str = "") -> None:
    old = plan.status
    plan.status = status
    plan.save(update_fields=["status", "locked_on", "closed_on"])
    record_audit(actor=actor, action=action, target=plan, old={"status": old}, new={"status": status}, reason=reason)


@transaction.atomic
def open_plan(*, actor: User, plan_id: int) -> WealthPlan:
    """draft → open: investors may join from the window's first day."""
    require_role(actor, *STAFF_ROLES)
    plan = _locked_plan(plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(_("only a draft plan can be opened"), code="plan_not_draft")
    if plan.subscribe_until < business_date():
        raise Conflict(_("the subscription window of this plan has passed"), code="plan_window_passed")
    _set_status(plan, PlanStatus.OPEN, actor, "investing.plan_opened")
    return plan


@transaction.atomic
def close_plan(*, actor: User, plan_id: int, reason: str = "") -> WealthPlan:
    """Cancel a draft or open plan: every subscriber's uninvested plan money is released at once.

    A locked plan runs to the end of its lock-in (investors were promised the term, not a return).
    """
    require_role(actor, *STAFF_ROLES)
    plan = _locked_plan(plan_id)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.OPEN):
        raise Conflict(_("only a draft or open plan can be closed; a locked plan runs to the end of lock-in"),
                       code="plan_not_closable")
    today = business_date()
    release_all(plan, SubscriptionStatus.EXITED, today)
    plan.closed_on = today
    _set_status(plan, PlanStatus.CLOSED, actor, "investing.plan_closed", reason[:2000])
    return plan


def release_all(plan: WealthPlan, status: str, today: date) -> int:
    """Release the uninvested money of every active subscription of ``plan`` (in its transaction)."""
    subs = list(PlanSubscription.objects.select_for_update(of=("self",))
                .filter(plan=plan, status=SubscriptionStatus.ACTIVE).select_related("investor").order_by("pk"))
    for sub in subs:
        _release(sub, status, today)
    return len(subs)


def _release(sub: PlanSubscription, status: str, today: date) -> None:
    if sub.uninvested_minor > 0:
        ledger.unfreeze(sub.investor, sub.uninvested_minor, kind="plan_release", reference=sub.reference)
    sub.uninvested_minor = 0
    sub.status = status
    sub.ended_on = today
    sub.save(update_fields=["uninvested_minor", "status", "ended_on"])


# ---------------------------------------------------------------- investors


def _riskiest(plan: WealthPlan) -> Any:
    """A stand-in loan of the plan's riskiest grade, for the investor's suitability check."""
    from types import SimpleNamespace

    letters = [g for g in GRADE_LETTERS if g in plan.grades]
    return SimpleNamespace(pk=None, grade=letters[-1] if letters else "", borrower_id=None)


def subscribe(*, investor: User, plan_id: int, amount_minor: int, reinvest: bool,
              idempotency_key: str | None = None) -> PlanSubscription:
    """Join an open plan in its window: the amount is frozen in the investor's own account.

    With a key a replay returns the first subscription (or its refusal) and freezes nothing more.
    """
    return once_per_key(
        user=investor, key=idempotency_key, scope=f"plan_subscribe:{plan_id}",
        payload={"plan_id": plan_id, "amount_minor": amount_minor, "reinvest": bool(reinvest)},
        run=lambda: _subscribe(investor, plan_id, amount_minor, bool(reinvest)),
        save=lambda sub: {"subscription_id": sub.pk},
        load=lambda stored: PlanSubscription.objects.get(pk=stored["subscription_id"]),
    )


def _subscribe(investor: User, plan_id: int, amount_minor: int, reinvest: bool) -> PlanSubscription:
    from peerlend.investing.services import check_investment

    require_kyc(investor)
    require_role(investor, Role.INVESTOR)
    today = business_date()
    with transaction.atomic():
        plan = _locked_plan(plan_id)  # serialises joins: the target size cannot be overshot
        if plan.status != PlanStatus.OPEN or not plan.subscribe_from <= today <= plan.subscribe_until:
            raise Conflict(_("this plan is not open for subscription today"), code="plan_not_open")
        unit = note_unit()
        if (amount_minor % unit or not plan.min_subscription_minor <= amount_minor <= plan.max_subscription_minor):
            raise ApplicationError(
                _("join with a multiple of %(unit)s CNY from %(min)s to %(max)s CNY")
                % {"unit": format_minor(unit), "min": format_minor(plan.min_subscription_minor),
                   "max": format_minor(plan.max_subscription_minor)}, code="invalid_plan_amount")
        taken = sum(PlanSubscription.objects.filter(plan=plan).exclude(status=SubscriptionStatus.LEFT)
                    .values_list("amount_minor", flat=True))
        if taken + amount_minor > plan.target_minor:
            raise ApplicationError(_("only %(left)s CNY of this plan is left to subscribe")
                                   % {"left": format_minor(max(plan.target_minor - taken, 0))},
                                   code="plan_full", status=409)
        check_investment(investor, _riskiest(plan))  # suitability for the plan's riskiest grade
        try:
            with transaction.atomic():
                sub = PlanSubscription.objects.create(plan=plan, investor=investor, amount_minor=amount_minor,
                                                      reinvest=reinvest, uninvested_minor=amount_minor,
                                                      joined_on=today)
        except IntegrityError:
            raise Conflict(_("you have already joined this plan"), code="plan_already_joined") from None
        ledger.freeze(investor, amount_minor, kind="plan_commit", reference=sub.reference)
    return sub


def leave(*, investor: User, subscription_id: int) -> PlanSubscription:
    """Leave during the subscription window: the uninvested plan money is released; notes stay yours."""
    today = business_date()
    with transaction.atomic():
        sub = (PlanSubscription.objects.select_for_update(of=("self",)).select_related("plan", "investor")
               .filter(pk=subscription_id, investor=investor).first())
        if sub is None:
            raise NotFound(_("subscription %(id)s does not exist") % {"id": subscription_id},
                           code="subscription_not_found")
        if sub.status != SubscriptionStatus.ACTIVE:
            raise Conflict(_("this subscription has already ended"), code="subscription_ended")
        if sub.plan.status != PlanStatus.OPEN or today > sub.plan.subscribe_until:
            raise Conflict(_("the plan is locked in until %(until)s: no exit before then")
                           % {"until": sub.plan.lock_ends_on.isoformat()}, code="plan_locked")
        _release(sub, SubscriptionStatus.LEFT, today)
    return sub
