"""Booking agents' monthly commissions in the ledger and paying them out through the gateway.

Accrual (kind ``commission_accrual``): debit ``platform:commission_expense``, credit
``platform:commission_payable``; one entry per (agent, month, rule), which is also the idempotency
key (a unique row): booking a month again books nothing new.

Payout (kind ``commission_payout``): ``commission_payable`` -> the agent's frozen account, and a
``Withdrawal`` whose payout request leaves through the outbox after commit; the gateway's signed
callback settles it like any withdrawal (frozen -> custody), or on failure releases the money to the
agent's available balance. Once per commission (the row is locked and names its withdrawal).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import Conflict, NotFound
from peerlend.ledger import outbox
from peerlend.ledger import services as ledger
from peerlend.ledger.models import Withdrawal, default_currency
from peerlend.marketing.models_staff import Commission, CommissionRun
from peerlend.marketing.staff.months import first_day, previous_month
from peerlend.marketing.staff.rules import Line, Rule, compute_month

logger = logging.getLogger("peerlend.marketing")


@dataclass(frozen=True)
class MonthResult:
    month: dt.date
    booked: int
    already: int
    paid: int
    total_minor: int


def _book_line(month: dt.date, line: Line, today: dt.date) -> Commission | None:
    """One accrual entry and its row, or None when this (agent, month, rule) is booked already."""
    if Commission.objects.filter(agent_id=line.agent_id, month=month, rule=line.rule.code).exists():
        return None
    try:
        with transaction.atomic():
            entry = ledger.post_entry(
                kind="commission_accrual",
                lines=[(ledger.platform_account("commission_expense"), -line.amount_minor),
                       (ledger.platform_account("commission_payable"), line.amount_minor)],
                memo=f"commission {line.rule.code}", business_date=today,
                reference=f"commission:{month:%Y-%m}:{line.agent_id}:{line.rule.code}")
            return Commission.objects.create(
                agent_id=line.agent_id, month=month, rule=line.rule.code, params=line.rule.params(),
                basis_count=line.basis_count, basis_minor=line.basis_minor, amount_minor=line.amount_minor,
                accrual_entry=entry)
    except IntegrityError:
        # A concurrent run booked the same (agent, month, rule) first; this entry rolled back with it.
        return None


def book_month(month: dt.date, *, today: dt.date | None = None, rules: list[Rule] | None = None,
               payout: bool = True) -> MonthResult:
    """Compute ``month``'s commissions, book the new ones, and (unless ``payout=False``) pay them out."""
    month = first_day(month)
    today = today or business_date()
    booked = already = 0
    for line in compute_month(month, rules):
        if line.amount_minor <= 0:
            continue
        made = _book_line(month, line, today)
        booked += made is not None
        already += made is None
    paid = pay_month(month, today=today) if payout else 0
    total = sum(Commission.objects.filter(month=month).values_list("amount_minor", flat=True))
    count = Commission.objects.filter(month=month).count()
    CommissionRun.objects.update_or_create(month=month, defaults={"business_date": today, "commissions": count,
                                                                  "total_minor": total})
    return MonthResult(month=month, booked=booked, already=already, paid=paid, total_minor=total)


def request_payout(commission_id: int, *, today: dt.date | None = None, actor: object = None) -> Commission:
    """Move one commission from payable to the agent and ask the gateway to pay it (once per commission)."""
    with transaction.atomic():
        commission = Commission.objects.select_for_update().filter(pk=commission_id).first()
        if commission is None:
            raise NotFound("no such commission", code="commission_not_found")
        if commission.withdrawal_id is not None:
            return commission
        agent = ledger.user_accounts_of_ids([commission.agent_id])[commission.agent_id]
        withdrawal = Withdrawal.objects.create(user_id=commission.agent_id, amount_minor=commission.amount_minor,
                                               currency=default_currency(), business_date=today or business_date())
        entry = ledger.post_entry(
            kind="commission_payout",
            lines=[(ledger.platform_account("commission_payable"), -commission.amount_minor),
                   (agent.frozen, commission.amount_minor)],
            memo=f"commission {commission.rule} {commission.month:%Y-%m}", reference=withdrawal.reference,
            business_date=today)
        Withdrawal.objects.filter(pk=withdrawal.pk).update(freeze_entry=entry)
        won = Commission.objects.filter(pk=commission.pk, withdrawal__isnull=True).update(
            withdrawal=withdrawal, payout_entry=entry)
        if won != 1:  # pragma: no cover - the row is locked above
            raise Conflict("commission paid concurrently", code="conflict")
        # The gateway is asked after commit (outbox); a rollback sends nothing.
        outbox.request_payout(withdrawal)
        record_audit(actor=actor, action="marketing.commission_payout_requested", target=commission,
                     old={"withdrawal": None}, new={"withdrawal": withdrawal.public_id,
                                                    "amount_minor": commission.amount_minor})
        commission.withdrawal = withdrawal
        commission.payout_entry = entry
    return commission


def pay_month(month: dt.date, *, today: dt.date | None = None) -> int:
    """Pay out every commission of ``month`` not yet paid; each in its own transaction."""
    ids = list(Commission.objects.filter(month=first_day(month), withdrawal__isnull=True)
               .order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        request_payout(pk, today=today)
    return len(ids)


def run_day_step(today: dt.date, _chunk_size: int) -> int:
    """run-day: book and pay last month's commissions, once (a month with a run is left alone)."""
    month = previous_month(today)
    if CommissionRun.objects.filter(month=month).exists():
        return 0
    result = book_month(month, today=today)
    logger.info("commissions %s: %d booked, %d paid", month.strftime("%Y-%m"), result.booked, result.paid)
    return result.booked
