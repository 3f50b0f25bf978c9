"""Plan bids: plan money buys notes on eligible loans, in each subscriber's own name, before the public.

* Eligible: the loan is listed, its grade letter is one of the plan's and it matures no later than
  the plan's lock-in end plus its stated exit period (no term splitting; the maturity is counted
  from the last day of the funding window, the latest the loan can start).
* Per loan the plan buys at most ``max_share_bp`` of the loan in total (all its bids together).
* The plan's amount is split over its subscribers pro rata to their uninvested money, in note
  units, exactly (largest remainder; ties to the earlier subscription).
* In one transaction: the loan row is locked, the committed cash moves from plan money (frozen)
  to available (``plan_release``), and ``funding_batch.place_batch`` freezes it again as notes
  under the same invariants as manual investing.
* Head start: when a plan could bid on a fresh listing, others wait ``PLAN_HEAD_START_MINUTES``
  (an invest check; plans themselves bypass it while they bid).

A bid round needs no idempotency key: what a plan may still buy of a loan is read under the loan's
lock, so running a round again places only what is left (nothing, once the share is reached).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.schedule import add_months
from peerlend.errors import ApplicationError
from peerlend.investing.models_plans import (
    PlanHeadStart,
    PlanNote,
    PlanStatus,
    PlanSubscription,
    SubscriptionStatus,
    WealthPlan,
)
from peerlend.investing.plans.services import note_unit
from peerlend.ledger import services as ledger
from peerlend.lending.funding_batch import WantedNote, check_investors, place_batch
from peerlend.lending.models import Loan

BIDDING = (PlanStatus.OPEN, PlanStatus.LOCKED)
logger = logging.getLogger("peerlend.investing.plans")
_plan_bid: contextvars.ContextVar[bool] = contextvars.ContextVar("plan_bid", default=False)


def now() -> datetime:
    """Wall-clock time of the head start (a test replaces this)."""
    return timezone.now()


def head_start_minutes() -> int:
    return int(settings.PEERLEND.get("PLAN_HEAD_START_MINUTES", 30))


@contextmanager
def _as_plan() -> Iterator[None]:
    token = _plan_bid.set(True)
    try:
        yield
    finally:
        _plan_bid.reset(token)


def check_head_start(investor: Any, loan: Any) -> None:
    """Invest check: refuse others during a fresh listing's plan head start (409 ``plan_head_start``)."""
    if _plan_bid.get() or getattr(loan, "pk", None) is None:
        return
    public_from = (PlanHeadStart.objects.filter(loan_id=loan.pk, public_from__gt=now())
                   .values_list("public_from", flat=True).first())
    if public_from is not None:
        when = date_format(timezone.localtime(public_from), "Y-m-d H:i")
        raise ApplicationError(
            _("wealth plans have a head start on this new loan: it opens to everyone at %(time)s") % {"time": when},
            code="plan_head_start", status=409, extra={"public_from": public_from.isoformat()})


def maturity_bound(loan: Any, today: date) -> date:
    """The latest the loan can mature: its term counted from the last day it can still fund."""
    start = loan.list_expires_on or today
    return add_months(max(start, today), int(loan.term_months))


def eligible_plans(loan: Any, today: date) -> list[WealthPlan]:
    """Open or locked plans that may buy ``loan`` (grade letter, maturity within lock-in plus exit)."""
    letter = (loan.grade or "")[:1].upper()
    matures = maturity_bound(loan, today)
    plans = WealthPlan.objects.filter(status__in=BIDDING).order_by("pk")
    return [p for p in plans if letter in p.grades and matures <= p.latest_maturity
            and (p.status == PlanStatus.LOCKED or today >= p.subscribe_from) and today < p.lock_ends_on]


def _has_money(plan: WealthPlan) -> bool:
    return PlanSubscription.objects.filter(plan=plan, status=SubscriptionStatus.ACTIVE,
                                           uninvested_minor__gte=note_unit()).exists()


def on_listing(loan_id: int) -> None:
    """Listing hook (order 10, before auto-invest): start the head start, then let every eligible plan bid."""
    loan = Loan.objects.filter(pk=loan_id).only("pk", "status", "grade", "term_months", "list_expires_on").first()
    if loan is None or loan.status != LoanStatus.LISTED:
        return
    today = business_date()
    plans = [p for p in eligible_plans(loan, today) if _has_money(p)]
    if not plans:
        return  # no plan wants it: the loan is public at once
    PlanHeadStart.objects.get_or_create(loan_id=loan_id, defaults={
        "public_from": now() + timedelta(minutes=head_start_minutes())})
    for plan in plans:
        try:
            bid(plan.pk, loan_id)
        except ApplicationError:
            # The listing has committed: a refused bid (rolled back whole) must not fail it; the
            # daily step tries again.
            logger.warning("plan %s: bid on loan %s refused", plan.pk, loan_id, exc_info=True)


def split_units(total_units: int, weights: list[tuple[int, int]]) -> dict[int, int]:
    """Split ``total_units`` pro rata to ``weights`` ((key, weight) in priority order), exactly.

    Largest remainder: each gets floor(total * w / W), the units left over go one each to the
    largest remainders, ties to the earlier key in ``weights``. Never more than a key's weight.
    """
    whole = sum(w for _k, w in weights)
    if whole <= 0 or total_units <= 0:
        return {k: 0 for k, _w in weights}
    total_units = min(total_units, whole)
    shares = {k: total_units * w // whole for k, w in weights}
    left = total_units - sum(shares.values())
    order = sorted(range(len(weights)), key=lambda i: (-(total_units * weights[i][1] % whole), i))
    for i in order[:left]:
        shares[weights[i][0]] += 1
    return shares


def plan_bought(plan_id: int, loan_id: int) -> int:
    return int(PlanNote.objects.filter(plan_id=plan_id, loan_id=loan_id).aggregate(s=Sum("note__amount_minor"))["s"]
               or 0)


def bid(plan_id: int, loan_id: int) -> int:
    """One plan's bid on one loan; returns the amount placed (0 when nothing fits)."""
    unit = note_unit()
    today = business_date()
    with transaction.atomic(), _as_plan():
        loan = (Loan.objects.select_for_update().filter(pk=loan_id)
                .only("pk", "status", "amount_minor", "funded_minor", "grade", "term_months", "list_expires_on",
                      "borrower_id").first())
        plan = WealthPlan.objects.filter(pk=plan_id).first()
        if (loan is None or plan is None or loan.status != LoanStatus.LISTED
                or (loan.list_expires_on and today >= loan.list_expires_on)
                or plan.pk not in {p.pk for p in eligible_plans(loan, today)}):
            return 0
        cap = loan.amount_minor * plan.max_share_bp // 10000 // unit * unit - plan_bought(plan.pk, loan.pk)
        room = min(cap, loan.amount_minor - loan.funded_minor)
        if room < unit:
            return 0
        subs = list(PlanSubscription.objects.select_for_update(of=("self",))
                    .select_related("investor", "investor__identity")
                    .filter(Q(plan=plan) & Q(status=SubscriptionStatus.ACTIVE) & Q(uninvested_minor__gte=unit))
                    .exclude(investor_id=loan.borrower_id).order_by("pk"))
        alloc = _allocate(subs, loan, room // unit, unit)
        if not alloc:
            return 0
        return _place(plan, loan, alloc, subs)


def _allocate(subs: list[PlanSubscription], loan: Any, units: int, unit: int) -> dict[int, int]:
    """Amount per subscription: pro rata, dropping subscribers the invest checks refuse, then splitting again."""
    live = list(subs)
    while live:
        shares = split_units(units, [(s.pk, s.uninvested_minor // unit) for s in live])
        asked = [s for s in live if shares[s.pk]]
        # Manual investing's checks for all of them at once (a refused subscriber's money waits for another loan).
        refused = check_investors([s.investor for s in asked], loan,
                                  {s.investor_id: shares[s.pk] * unit for s in asked})
        if not refused:
            return {pk: n * unit for pk, n in shares.items() if n}
        live = [s for s in live if s.investor_id not in refused]
    return {}


def _place(plan: WealthPlan, loan: Any, alloc: dict[int, int], subs: list[PlanSubscription]) -> int:
    by_pk = {s.pk: s for s in subs}
    accounts = ledger.user_accounts_of_ids([by_pk[pk].investor_id for pk in alloc])
    # The committed cash leaves plan money first; place_batch freezes it again as the notes.
    ledger.post_entries([
        ledger.EntrySpec(kind="plan_release", reference=f"{by_pk[pk].reference}:loan:{loan.pk}",
                         lines=[(accounts[by_pk[pk].investor_id].frozen, -amount),
                                (accounts[by_pk[pk].investor_id].available, amount)])
        for pk, amount in alloc.items()])
    wanted = [WantedNote(by_pk[pk].investor_id, amount, tag=pk) for pk, amount in alloc.items()]
    result = place_batch(loan.pk, wanted, auto=True)
    if result.refused:
        # Cannot happen under the loan's lock with the cash just released; refuse the whole bid rather
        # than leave plan money outside the plan.
        raise ApplicationError(_("the plan bid was refused: %(code)s") % {"code": result.refused[0].code},
                               code="plan_bid_refused", status=409)
    placed = 0
    for w, note in result.placed:
        sub = by_pk[w.tag]
        PlanNote.objects.create(subscription=sub, note=note, loan_id=loan.pk, plan=plan)
        sub.uninvested_minor -= w.amount_minor
        sub.invested_minor += w.amount_minor
        sub.save(update_fields=["uninvested_minor", "invested_minor"])
        placed += w.amount_minor
    return placed
