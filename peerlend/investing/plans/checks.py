"""Audit checks of wealth plans (registered with ``ledger.audit`` from ``InvestingConfig.ready``)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Sum

from peerlend.investing.models_plans import PlanNote, PlanSubscription, SubscriptionStatus
from peerlend.ledger.models import LedgerAccount
from peerlend.lending.models import Note, NoteStatus


def plan_money_is_frozen() -> list[str]:
    """Each investor with plan money has a frozen balance covering it plus their pending notes.

    Investors without plan money are lending's check alone (``lending.pending_notes_are_frozen``).
    """
    need: dict[int, int] = defaultdict(int)
    for row in (PlanSubscription.objects.filter(status=SubscriptionStatus.ACTIVE, uninvested_minor__gt=0)
                .values("investor").annotate(total=Sum("uninvested_minor"))):
        need[row["investor"]] += int(row["total"])
    for row in (Note.objects.filter(status=NoteStatus.PENDING, investor_id__in=list(need)).values("investor")
                .annotate(total=Sum("amount_minor"))):
        need[row["investor"]] += int(row["total"])
    frozen = dict(LedgerAccount.objects.filter(kind="frozen", owner_id__in=list(need))
                  .values_list("owner_id", "balance_minor"))
    return [f"investor {pk}: frozen {frozen.get(pk, 0)} < pending notes and plan money {total}"
            for pk, total in sorted(need.items()) if frozen.get(pk, 0) < total]


def plan_notes_are_the_subscribers() -> list[str]:
    """A plan's note is always in its subscriber's own name (never a pool's)."""
    rows = (PlanNote.objects.exclude(note__investor_id=F("subscription__investor_id"))
            .values_list("pk", "note_id", "note__investor_id", "subscription__investor_id"))
    return [f"plan note {pk}: note {note} belongs to {owner}, not the subscriber {subscriber}"
            for pk, note, owner, subscriber in rows]


def register() -> None:
    from peerlend.ledger.audit import register_check

    register_check("investing.plan_money_is_frozen", plan_money_is_frozen)
    register_check("investing.plan_notes_are_the_subscribers", plan_notes_are_the_subscribers)
