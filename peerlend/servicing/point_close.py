"""A service point's cash day: the manager's count, its deposit to custody, and the daily reconciliation.

Expected cash of a point and day is read from the books: the cash-in movements of
``platform:service_point_clearing`` whose receipts belong to that point and day. The manager counts
the cash and deposits it (``custody_bank`` debit, clearing credit); card takings are handed to the
card acquirer (``gateway_clearing`` debit, clearing credit). A shortage or surplus stays visible as
the difference, listed per point and day (operator page, ``peerlend reconcile-points``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from peerlend.accounts.models import AgentMembership, ServicePoint, User
from peerlend.accounts.network.models import MAX_COUNTED_MINOR, CounterMethod, CounterReceipt, PointDayClose
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.ledger.idempotency import once_per_key
from peerlend.ledger.models import Posting
from peerlend.servicing.counter import CLEARING, point_reference

DEPOSIT = "service_point_deposit"
CARD_SETTLEMENT = "service_point_card_settlement"


def clearing_in(point_id: int, day: date) -> dict[str, int]:
    """Cash and card that entered clearing at ``point_id`` on ``day``, read from the postings."""
    out = {}
    for method in CounterMethod.values:
        entry_ids = CounterReceipt.objects.filter(service_point_id=point_id, business_date=day,
                                                  method=method).values("entry_id")
        total = Posting.objects.filter(account__code=CLEARING, entry_id__in=entry_ids).aggregate(s=Sum("amount_minor"))
        out[method] = -int(total["s"] or 0)  # debit-normal: money in is negative
    return out


def _require_manager(actor: User) -> ServicePoint:
    require_agent_point(actor)
    managed = (AgentMembership.objects.filter(agent_id=actor.pk, active=True, service_point__active=True,
                                              role=AgentMembership.PointRole.MANAGER)
               .select_related("service_point").order_by("service_point__code").first())
    if managed is None:
        raise PermissionDenied(_("only the point's manager closes its cash day"), code="not_point_manager")
    return managed.service_point


def close_day(*, manager: User, day: date, counted_cash_minor: int, idempotency_key: str | None) -> PointDayClose:
    """The manager records the cash counted for ``day`` and deposits it; card takings go to settlement."""
    return once_per_key(user=manager, key=idempotency_key, scope=f"point_close:{day.isoformat()}",
                        payload={"day": day.isoformat(), "counted": counted_cash_minor},
                        run=lambda: _close(manager, day, counted_cash_minor),
                        save=lambda c: {"id": c.pk}, load=lambda s: PointDayClose.objects.get(pk=s["id"]))


def _close(manager: User, day: date, counted: int) -> PointDayClose:
    if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= MAX_COUNTED_MINOR:
        raise ApplicationError(_("counted cash is between 0 and %(max)s CNY")
                               % {"max": format_minor(MAX_COUNTED_MINOR)}, code="invalid_amount",
                               extra={"field": "counted"})
    if day > business_date():
        raise ApplicationError(_("a day in the future cannot be closed"), code="day_in_future", extra={"field": "day"})
    with transaction.atomic():
        point = ServicePoint.objects.select_for_update().get(pk=_require_manager(manager).pk)
        if PointDayClose.objects.filter(service_point=point, business_date=day).exists():
            raise Conflict(_("this day is already closed for %(point)s") % {"point": point.name}, code="day_closed")
        taken = clearing_in(point.pk, day)
        clearing = ledger.platform_account(CLEARING)
        ref = point_reference(point.pk)
        deposit = card = None
        if counted:
            deposit = ledger.post_entry(kind=DEPOSIT, lines=[(ledger.platform_account("custody_bank"), -counted),
                                                             (clearing, counted)],
                                        memo=f"cash deposited by {point.code} for {day}", reference=ref,
                                        business_date=day)
        if taken[CounterMethod.CARD]:
            card = ledger.post_entry(kind=CARD_SETTLEMENT,
                                     lines=[(ledger.platform_account("gateway_clearing"), -taken[CounterMethod.CARD]),
                                            (clearing, taken[CounterMethod.CARD])],
                                     memo=f"card takings of {point.code} for {day}", reference=ref, business_date=day)
        close = PointDayClose.objects.create(
            service_point=point, business_date=day, counted_cash_minor=counted,
            expected_cash_minor=taken[CounterMethod.CASH], card_minor=taken[CounterMethod.CARD], recorded_by=manager,
            deposit_entry=deposit, card_entry=card)
        record_audit(actor=manager, action="servicing.point_day_closed", target=close,
                     new={"point": point.code, "day": day, "counted_cash_minor": counted,
                          "expected_cash_minor": close.expected_cash_minor, "card_minor": close.card_minor,
                          "difference_minor": close.difference_minor})
        return close


@dataclass(frozen=True)
class ReconciliationRow:
    point: ServicePoint
    day: date
    expected_cash_minor: int
    card_minor: int
    counted_cash_minor: int | None  # None: the point has not closed the day

    @property
    def difference_minor(self) -> int | None:
        return None if self.counted_cash_minor is None else self.counted_cash_minor - self.expected_cash_minor

    @property
    def status(self) -> str:
        if self.counted_cash_minor is None:
            return "not_closed"
        return "matched" if self.difference_minor == 0 else "difference"


def reconciliation(day: date) -> list[ReconciliationRow]:
    """Every point that took money or closed ``day``: expected (from the books) vs counted, by point."""
    point_ids = set(CounterReceipt.objects.filter(business_date=day).values_list("service_point_id", flat=True))
    closes = {c.service_point_id: c for c in PointDayClose.objects.filter(business_date=day)}
    point_ids |= set(closes)
    rows = []
    for point in ServicePoint.objects.filter(pk__in=point_ids).order_by("city", "code"):
        taken = clearing_in(point.pk, day)
        close = closes.get(point.pk)
        rows.append(ReconciliationRow(point=point, day=day, expected_cash_minor=taken[CounterMethod.CASH],
                                      card_minor=taken[CounterMethod.CARD],
                                      counted_cash_minor=None if close is None else close.counted_cash_minor))
    return rows


def differences(day: date) -> list[ReconciliationRow]:
    return [row for row in reconciliation(day) if row.status != "matched"]


def as_dict(row: ReconciliationRow) -> dict[str, Any]:
    return {"point": row.point.code, "day": row.day.isoformat(), "expected_cash": format_minor(row.expected_cash_minor),
            "card": format_minor(row.card_minor),
            "counted_cash": None if row.counted_cash_minor is None else format_minor(row.counted_cash_minor),
            "difference": None if row.difference_minor is None else format_minor(row.difference_minor),
            "status": row.status}
