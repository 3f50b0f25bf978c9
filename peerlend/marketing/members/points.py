"""The points ledger's use cases: award, spend, reverse and expire points.

Each call is one atomic use case under the member row's lock (``select_for_update``): the entry and
the stored balance change together, so the entries of a member always sum to the balance, and the
database refuses a negative balance. Earnings are lots that spending, reversals and expiry consume
oldest expiry first (``remaining``), so the lots left always sum to the balance too.

Every call takes an idempotency key, unique per member: a replay with the same reason and points
returns the first entry and changes nothing; the same key for anything else is a 422.
Other contexts above lending call these functions (coupons redeem points, referrals award them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from peerlend.clock import business_date
from peerlend.domain.schedule import add_months
from peerlend.errors import ApplicationError, Conflict, NotFound, Unprocessable
from peerlend.marketing.members.config import rule
from peerlend.marketing.models_members import MAX_POINTS_PER_ENTRY, Member, PointsEntry, PointsReason

__all__ = ["award_points", "expire_points", "register_reason_labels", "reverse_points", "spend_points"]

MAX_KEY = 160
MAX_REFERENCE = 120
# Reason codes other contexts add (a coupon redemption, a referral kind), with their labels.
_EXTRA_REASONS: dict[str, Promise | str] = {}


def register_reason_labels(labels: Mapping[str, Promise | str]) -> None:
    """Let another part of marketing use its own reason codes (each needs a label on the pages)."""
    _EXTRA_REASONS.update(labels)


def reason_labels() -> dict[str, Promise | str]:
    return {**dict(PointsReason.choices), **_EXTRA_REASONS}


def _check(points: int, reason: str, reference: str, idempotency_key: str) -> None:
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_POINTS_PER_ENTRY:
        raise ApplicationError(_("points must be a whole number from 1 to %(max)d") % {"max": MAX_POINTS_PER_ENTRY},
                               code="invalid_points")
    if reason not in reason_labels():
        raise ApplicationError(_("unknown points reason %(reason)s") % {"reason": reason}, code="invalid_points")
    if not idempotency_key or len(idempotency_key) > MAX_KEY:
        raise ApplicationError(_("an idempotency key of 1 to %(n)d characters is required") % {"n": MAX_KEY},
                               code="idempotency_key_required")
    if len(reference) > MAX_REFERENCE:
        raise ApplicationError(_("the reference is longer than %(n)d characters") % {"n": MAX_REFERENCE},
                               code="invalid_points")


def locked_member(user_id: int) -> Member:
    """The member row, created on the first write, locked for the rest of the transaction."""
    Member.objects.get_or_create(user_id=user_id)
    return Member.objects.select_for_update().get(pk=user_id)


def _replayed(key: str, member: Member, reason: str, delta: int | None) -> PointsEntry | None:
    first = PointsEntry.objects.filter(member=member, idempotency_key=key).first()
    if first is None:
        return None
    if first.reason != reason or (delta is not None and first.delta != delta):
        raise Unprocessable(_("this idempotency key was already used for a different points change"),
                            code="idempotency_key_reused")
    return first


def _write(member: Member, *, delta: int, reason: str, reference: str, key: str, remaining: int = 0,
           expires_on: date | None = None, reversal_of: PointsEntry | None = None) -> PointsEntry:
    entry = PointsEntry.objects.create(
        member=member, delta=delta, reason=reason, reference=reference, idempotency_key=key,
        remaining=remaining, expires_on=expires_on, reversal_of=reversal_of, booked_on=business_date())
    Member.objects.filter(pk=member.pk).update(balance=F("balance") + delta)
    member.balance += delta
    return entry


def _consume(member: Member, points: int, first: PointsEntry | None = None) -> None:
    """Take ``points`` from the member's lots, ``first`` then oldest expiry first."""
    lots = list(PointsEntry.objects.filter(member=member, remaining__gt=0).order_by(F("expires_on").asc(
        nulls_last=True), "id"))
    if first is not None:
        lots.sort(key=lambda lot: lot.pk != first.pk)
    left = points
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        PointsEntry.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        left -= take


def _expiry_from(today: date) -> date:
    return add_months(today, int(rule("EXPIRY_MONTHS")))


@transaction.atomic
def award_points(user: Any, points: int, *, reason: str, reference: str, idempotency_key: str) -> PointsEntry:
    """Credit ``points`` (a new lot that expires after ``EXPIRY_MONTHS``)."""
    _check(points, reason, reference, idempotency_key)
    member = locked_member(user.pk)
    first = _replayed(idempotency_key, member, reason, points)
    if first is not None:
        return first
    return _write(member, delta=points, reason=reason, reference=reference, key=idempotency_key,
                  remaining=points, expires_on=_expiry_from(business_date()))


@transaction.atomic
def spend_points(user: Any, points: int, *, reason: str, reference: str, idempotency_key: str) -> PointsEntry:
    """Debit ``points`` (a redemption); ``insufficient_points`` when the balance is smaller."""
    _check(points, reason, reference, idempotency_key)
    member = locked_member(user.pk)
    first = _replayed(idempotency_key, member, reason, -points)
    if first is not None:
        return first
    if member.balance < points:
        raise ApplicationError(
            _("not enough points: you have %(have)d, this needs %(need)d") % {"have": member.balance, "need": points},
            code="insufficient_points", extra={"balance": member.balance, "needed": points})
    _consume(member, points)
    return _write(member, delta=-points, reason=reason, reference=reference, key=idempotency_key)


def _resolve(entry_or_key: PointsEntry | str, user: Any = None) -> PointsEntry:
    if isinstance(entry_or_key, PointsEntry):
        return PointsEntry.objects.get(pk=entry_or_key.pk)
    rows = PointsEntry.objects.filter(idempotency_key=entry_or_key)
    if user is not None:
        rows = rows.filter(member_id=user.pk)
    found = list(rows[:2])
    if len(found) != 1:
        # Keys are unique per member: a key two members used needs the member (``user``) to name one.
        raise NotFound(_("no single points entry has this key"), code="points_entry_not_found")
    return found[0]


@transaction.atomic
def reverse_points(entry_or_key: PointsEntry | str, *, reason: str = PointsReason.REVERSAL,
                   idempotency_key: str, user: Any = None) -> PointsEntry | None:
    """Undo an earning or a spending (a refund, a cancelled redemption).

    An earning is taken back as far as the balance allows (points already spent stay spent), from its
    own lot first; a spending is credited back as a new lot. Returns None when nothing is left to take.
    """
    original = _resolve(entry_or_key, user)
    _check(abs(original.delta), reason, original.reference, idempotency_key)
    member = locked_member(original.member_id)
    first = _replayed(idempotency_key, member, reason, None)
    if first is not None:
        return first
    if original.reason == PointsReason.EXPIRY or original.reversal_of_id is not None:
        raise Conflict(_("expiries and reversals cannot be reversed"), code="points_not_reversible")
    if original.reversals.exists():
        raise Conflict(_("these points were already reversed"), code="points_already_reversed")
    if original.delta < 0:
        return _write(member, delta=-original.delta, reason=reason, reference=original.reference,
                      key=idempotency_key, remaining=-original.delta, expires_on=_expiry_from(business_date()),
                      reversal_of=original)
    amount = min(original.delta, member.balance)
    if amount == 0:
        return None
    _consume(member, amount, first=original)
    return _write(member, delta=-amount, reason=reason, reference=original.reference, key=idempotency_key,
                  reversal_of=original)


def expire_points(today: date, size: int = 500) -> int:
    """Write an expiry entry for every lot whose expiry date has come (run-day step; idempotent)."""
    done = 0
    while True:
        lot_ids = list(PointsEntry.objects.filter(remaining__gt=0, expires_on__lte=today)
                       .order_by("member_id", "id").values_list("id", flat=True)[:size])
        if not lot_ids:
            return done
        for lot_id in lot_ids:
            done += _expire_lot(lot_id, today)


@transaction.atomic
def _expire_lot(lot_id: int, today: date) -> int:
    member_id = PointsEntry.objects.values_list("member_id", flat=True).get(pk=lot_id)
    member = locked_member(member_id)
    lot = PointsEntry.objects.get(pk=lot_id)
    if lot.remaining == 0 or lot.expires_on is None or lot.expires_on > today:
        return 0
    PointsEntry.objects.filter(pk=lot.pk).update(remaining=0)
    _write(member, delta=-lot.remaining, reason=PointsReason.EXPIRY, reference=f"points:{lot.pk}",
           key=f"points:expiry:{lot.pk}")
    return 1
