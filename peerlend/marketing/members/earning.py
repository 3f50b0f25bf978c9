"""The earning rules, hooked into lower contexts without their importing marketing.

Registration and verified identity: Django ``post_save`` signals on the accounts models, connected
from ``MarketingConfig.ready``. Investments, refunds, on-time repayments, birthdays and expiry: one
``run-day`` step (``servicing.batch.register_step``) that looks back ``LOOKBACK_DAYS`` for what it
has not seen yet; every award has a key derived from its source, so re-running a day is harmless,
and bulk-created notes (auto-invest) earn like single ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import F

from peerlend.accounts.models import MEMBER_ROLES, STAFF_ROLES, Identity, IdentityKind, Role, User
from peerlend.accounts.services import require_role
from peerlend.compliance.services import record_audit
from peerlend.lending.models import Note, NoteStatus
from peerlend.marketing.members.benefits import is_member_day
from peerlend.marketing.members.config import rule
from peerlend.marketing.members.points import award_points, expire_points, locked_member, reverse_points
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason
from peerlend.servicing.models import Installment, InstallmentStatus


def invest_key(note_id: int) -> str:
    return f"points:invest:note:{note_id}"


def on_user_saved(sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new member (not staff) earns the registration points in the registration's transaction."""
    if not created or raw or instance.is_superuser:
        return
    roles = set(instance.roles or [])
    if roles & STAFF_ROLES or not roles & MEMBER_ROLES:
        return
    points = int(rule("REGISTRATION_POINTS"))
    if points > 0:
        award_points(instance, points, reason=PointsReason.REGISTRATION, reference=f"user:{instance.pk}",
                     idempotency_key=f"points:registration:{instance.pk}")


def _birth_md(identity: Identity) -> str:
    if identity.kind != IdentityKind.PERSON:
        return ""
    resident_id = identity.decrypted()["resident_id"]
    return resident_id[10:14] if len(resident_id) == 18 else ""


def on_identity_saved(sender: Any, instance: Identity, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A verified identity earns points once and gives the member's birthday (month and day only)."""
    if not created or raw:
        return
    points = int(rule("IDENTITY_POINTS"))
    member = locked_member(instance.user_id)
    birth_md = _birth_md(instance)
    if birth_md and member.birth_md != birth_md:
        Member.objects.filter(pk=member.pk).update(birth_md=birth_md)
    if points > 0:
        award_points(instance.user, points, reason=PointsReason.IDENTITY, reference=f"identity:{instance.pk}",
                     idempotency_key=f"points:identity:{instance.user_id}")


def award_offline_visit(*, agent: User, member: User, visit_reference: str, idempotency_key: str) -> PointsEntry:
    """An agent records a member's visit at their point: the member earns the visit points (audited)."""
    require_role(agent, Role.AGENT)
    entry = award_points(member, int(rule("OFFLINE_VISIT_POINTS")), reason=PointsReason.OFFLINE_VISIT,
                         reference=visit_reference, idempotency_key=idempotency_key)
    record_audit(actor=agent, action="marketing.points_offline_visit", target=entry,
                 new={"member": member.pk, "points": entry.delta, "reference": visit_reference})
    return entry


# Visits that earn points; a collection visit (the member is behind) earns none.
EARNING_VISITS = frozenset({"registration", "documents", "follow_up"})


def on_visit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A visit an agent records at a point (accounts.network.PointVisit): points once per member and day."""
    if not created or raw or instance.purpose not in EARNING_VISITS:
        return
    points = int(rule("OFFLINE_VISIT_POINTS"))
    if points > 0:
        award_points(instance.member, points, reason=PointsReason.OFFLINE_VISIT, reference=f"visit:{instance.pk}",
                     idempotency_key=f"points:visit:{instance.member_id}:{instance.visited_on.isoformat()}")


def investment_points(amount_minor: int, placed_on: date | None) -> int:
    points = amount_minor // int(rule("INVEST_MINOR_PER_POINT"))
    if placed_on is not None and is_member_day(placed_on):
        points *= int(rule("MEMBER_DAY_MULTIPLIER"))
    return points


def _existing_keys(keys: list[str]) -> set[str]:
    return set(PointsEntry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    # Bounded IN lists (SQLite's parameter limit) and bounded memory on a busy day.
    for start in range(0, len(ids), max(1, size)):
        yield ids[start:start + max(1, size)]


def award_investments(today: date, since: date, size: int = 500) -> int:
    ids = list(Note.objects.filter(placed_on__gte=since, placed_on__lte=today)
               .exclude(status=NoteStatus.REFUNDED).order_by("id").values_list("id", flat=True))
    done = 0
    for part in _chunks(ids, size):
        seen = _existing_keys([invest_key(i) for i in part])
        for note in Note.objects.filter(pk__in=[i for i in part if invest_key(i) not in seen]).select_related(
                "investor").order_by("id"):
            points = investment_points(note.amount_minor, note.placed_on)
            if points > 0:
                award_points(note.investor, points, reason=PointsReason.INVESTMENT, reference=f"note:{note.pk}",
                             idempotency_key=invest_key(note.pk))
                done += 1
    return done


def reverse_refunds(since: date, size: int = 500) -> int:
    """A refunded note's investment points are taken back (once)."""
    ids = list(Note.objects.filter(placed_on__gte=since, status=NoteStatus.REFUNDED).order_by("id")
               .values_list("id", flat=True))
    done = 0
    for part in _chunks(ids, size):
        awarded = _existing_keys([invest_key(i) for i in part])
        reversed_ = _existing_keys([invest_key(i) + ":refund" for i in part])
        for key in sorted(awarded - {k.removesuffix(":refund") for k in reversed_}):
            if reverse_points(key, reason=PointsReason.REFUND_REVERSAL, idempotency_key=key + ":refund") is not None:
                done += 1
    return done


def repay_key(installment_id: int) -> str:
    return f"points:repay:installment:{installment_id}"


def award_on_time_repayments(today: date, since: date, size: int = 500) -> int:
    # Paid in full by its due date, by the borrower (not compensated by the reserve).
    ids = list(Installment.objects.filter(status=InstallmentStatus.PAID, paid_on__gte=since, paid_on__lte=today,
                                          compensated_on__isnull=True)
               .filter(paid_on__lte=F("due_date")).order_by("id").values_list("id", flat=True))
    per_point = int(rule("REPAY_MINOR_PER_POINT"))
    done = 0
    for part in _chunks(ids, size):
        seen = _existing_keys([repay_key(i) for i in part])
        for inst in Installment.objects.filter(pk__in=[i for i in part if repay_key(i) not in seen]).select_related(
                "loan__borrower").order_by("id"):
            points = (inst.principal_minor + inst.interest_minor) // per_point
            if points > 0:
                award_points(inst.loan.borrower, points, reason=PointsReason.ON_TIME_REPAYMENT,
                             reference=f"installment:{inst.pk}", idempotency_key=repay_key(inst.pk))
                done += 1
    return done


def _birthday_codes(today: date) -> list[str]:
    codes = [today.strftime("%m%d")]
    # Members born on 29 February celebrate on the 28th in years without one.
    if codes[0] == "0228" and (today + timedelta(days=1)).month == 3:
        codes.append("0229")
    return codes


def award_birthdays(today: date) -> int:
    points = int(rule("BIRTHDAY_POINTS"))
    if points <= 0:
        return 0
    members = list(Member.objects.filter(birth_md__in=_birthday_codes(today)).select_related("user"))
    keys = [f"points:birthday:{m.user_id}:{today.year}" for m in members]
    seen = _existing_keys(keys)
    done = 0
    for member, key in zip(members, keys, strict=True):
        if key not in seen:
            award_points(member.user, points, reason=PointsReason.BIRTHDAY, reference=str(today.year),
                         idempotency_key=key)
            done += 1
    return done


def step_member_points(today: date, size: int) -> int:
    """The run-day step: investments, refunds, on-time repayments, birthdays, then expiry."""
    since = today - timedelta(days=int(rule("LOOKBACK_DAYS")))
    return (award_investments(today, since, size) + reverse_refunds(since, size)
            + award_on_time_repayments(today, since, size) + award_birthdays(today) + expire_points(today, size))
