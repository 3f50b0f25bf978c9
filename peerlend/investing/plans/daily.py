"""The wealth-plan step of the daily batch (``servicing.batch.register_step``), safe to re-run for a date.

In order: open plans whose window has passed lock in; plans whose lock-in has ended exit (each
subscriber's uninvested plan money is released; the notes are held to maturity, as there is no
secondary market); exiting plans whose notes are all settled close; reinvesting subscribers' receipts
go back into plan money during lock-in; then every bidding plan with money bids on the eligible
listed loans. Each transition is an audit row (actor: the system).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F, Sum

from peerlend.compliance.services import record_audit
from peerlend.domain.lifecycle import LoanStatus
from peerlend.investing.models_plans import (
    PlanNote,
    PlanStatus,
    PlanSubscription,
    SubscriptionStatus,
    WealthPlan,
)
from peerlend.investing.plans import bidding
from peerlend.investing.plans.services import note_unit, release_all
from peerlend.ledger import services as ledger
from peerlend.ledger.models import AccountKind, LedgerAccount
from peerlend.lending.models import Loan, NoteStatus

LIVE_NOTES = (NoteStatus.PENDING, NoteStatus.ACTIVE)


def _transition(plan_id: int, status: str, today: date) -> None:
    with transaction.atomic():
        plan = WealthPlan.objects.select_for_update().get(pk=plan_id)
        old = plan.status
        if status == PlanStatus.LOCKED:
            plan.locked_on = today
        elif status == PlanStatus.EXITING:
            release_all(plan, SubscriptionStatus.EXITED, today)
        elif status == PlanStatus.CLOSED:
            plan.closed_on = today
        plan.status = status
        plan.save(update_fields=["status", "locked_on", "closed_on"])
        record_audit(actor=None, action=f"investing.plan_{status}", target=plan,
                     old={"status": old}, new={"status": status, "on": today})


def advance_plans(today: date) -> int:
    """Date-driven transitions: open → locked → exiting → closed."""
    moved = 0
    for plan in WealthPlan.objects.filter(status=PlanStatus.OPEN, subscribe_until__lt=today).order_by("pk"):
        _transition(plan.pk, PlanStatus.LOCKED, today)
        moved += 1
    for plan in WealthPlan.objects.filter(status=PlanStatus.LOCKED).order_by("pk"):
        if today >= plan.lock_ends_on:
            _transition(plan.pk, PlanStatus.EXITING, today)
            moved += 1
    for plan in WealthPlan.objects.filter(status=PlanStatus.EXITING).order_by("pk"):
        if not PlanNote.objects.filter(plan=plan, note__status__in=LIVE_NOTES).exists():
            _transition(plan.pk, PlanStatus.CLOSED, today)
            moved += 1
    return moved


def received_of(sub_ids: list[int]) -> dict[int, int]:
    """What each subscription's plan notes paid the investor so far (principal + interest − fees)."""
    rows = (PlanNote.objects.filter(subscription_id__in=sub_ids).values("subscription_id")
            .annotate(got=Sum(F("note__principal_received_minor") + F("note__interest_received_minor")
                              - F("note__fees_paid_minor"))))
    return {r["subscription_id"]: int(r["got"] or 0) for r in rows}


def reinvest(today: date) -> int:
    """Move reinvesting subscribers' new receipts from available back into plan money (lock-in only).

    ``swept_minor`` remembers the receipts already looked at, so a re-run moves nothing. Cash the
    investor has withdrawn meanwhile is not taken from elsewhere: at most the available balance moves.
    """
    subs = list(PlanSubscription.objects.filter(status=SubscriptionStatus.ACTIVE, reinvest=True,
                                                plan__status__in=bidding.BIDDING).values_list("pk", flat=True))
    received = received_of(subs)
    moved = 0
    for pk in subs:
        if received.get(pk, 0) <= 0:
            continue
        with transaction.atomic():
            sub = PlanSubscription.objects.select_for_update(of=("self",)).select_related("investor").get(pk=pk)
            new = received.get(pk, 0) - sub.swept_minor
            if sub.status != SubscriptionStatus.ACTIVE or new <= 0:
                continue
            available = (LedgerAccount.objects.select_for_update()
                         .filter(owner_id=sub.investor_id, kind=AccountKind.AVAILABLE)
                         .values_list("balance_minor", flat=True).first() or 0)
            amount = min(new, int(available))
            if amount > 0:
                ledger.freeze(sub.investor, amount, kind="plan_commit", reference=f"{sub.reference}:reinvest")
            sub.swept_minor += new
            sub.reinvested_minor += amount
            sub.uninvested_minor += amount
            sub.save(update_fields=["swept_minor", "reinvested_minor", "uninvested_minor"])
            moved += 1
    return moved


def bid_round(today: date) -> int:
    """Every bidding plan with money bids on every eligible listed loan (oldest first)."""
    unit = note_unit()
    placed = 0
    plans = [p for p in WealthPlan.objects.filter(status__in=bidding.BIDDING).order_by("pk")
             if PlanSubscription.objects.filter(plan=p, status=SubscriptionStatus.ACTIVE,
                                                uninvested_minor__gte=unit).exists()]
    if not plans:
        return 0
    loans = Loan.objects.filter(status=LoanStatus.LISTED, list_expires_on__gt=today).only(
        "pk", "grade", "term_months", "list_expires_on").order_by("pk")
    for loan in loans:
        eligible = {p.pk for p in bidding.eligible_plans(loan, today)}
        for plan in plans:
            if plan.pk in eligible:
                placed += 1 if bidding.bid(plan.pk, loan.pk) else 0
    return placed


def step_plans(today: date, size: int) -> int:
    """The daily step (registered as ``investing.plans``)."""
    return advance_plans(today) + reinvest(today) + bid_round(today)
