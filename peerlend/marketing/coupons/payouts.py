"""What the platform pays on coupons, each payment one balanced ledger entry debiting marketing expense.

* Cash voucher: its value into the investor's available cash when the note's loan is disbursed.
* Fee discount: its value (at most the fee taken) back to the borrower at disbursement.
* Rate boost: on each repayment that pays interest to the note, the extra interest
  ``interest part x boost rate / loan rate`` (half-up), for the coupon's number of months.

Each payment is a ``CouponPayout`` row, unique per (coupon, reference), so that a replay pays nothing
twice, and the coupon's ``paid_minor`` is the sum of its payouts: marketing expense booked for coupons
equals the sum of coupon costs (tests/marketing/coupons/test_expense.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F

from peerlend.clock import business_date
from peerlend.ledger import services as ledger
from peerlend.lending.disbursement import charged_origination_fee_minor
from peerlend.lending.models import Loan
from peerlend.marketing.models_coupons import Coupon, CouponKind, CouponPayout, CouponStatus


def _post(kind: str, reference: str, pays: list[tuple[Coupon, int, int, str]]) -> None:
    """One entry: marketing expense pays each (coupon, user id, amount, payout reference)."""
    pays = [p for p in pays if p[2] > 0]
    if not pays:
        return
    accounts = ledger.user_accounts_of_ids(sorted({user_id for _c, user_id, _a, _r in pays}))
    per_user: dict[int, int] = defaultdict(int)
    for _coupon, user_id, amount, _ref in pays:
        per_user[user_id] += amount
    total = sum(per_user.values())
    lines: list[tuple[Any, int]] = [(ledger.platform_account("marketing_expense"), -total)]
    lines += [(accounts[user_id].available, amount) for user_id, amount in sorted(per_user.items())]
    today = business_date()
    entry = ledger.post_entry(kind=kind, lines=lines, reference=reference, business_date=today,
                              memo=f"coupons paid by the platform ({len(pays)})")
    CouponPayout.objects.bulk_create([
        CouponPayout(coupon=coupon, reference=ref, amount_minor=amount, entry=entry, business_date=today)
        for coupon, _user_id, amount, ref in pays
    ])
    for coupon, _user_id, amount, _ref in pays:
        Coupon.objects.filter(pk=coupon.pk).update(paid_minor=F("paid_minor") + amount)


def pay_at_disbursement(loan: Any, notes: Sequence[Any]) -> None:
    """Lending's after-disbursement hook: cash vouchers of the loan's notes and the loan's fee discount."""
    note_ids = [n.pk for n in notes]
    vouchers = list(Coupon.objects.filter(note_id__in=note_ids, kind=CouponKind.CASH_VOUCHER,
                                          status=CouponStatus.REDEEMED, paid_minor=0)
                    .select_related("template").order_by("pk"))
    _post("coupon_cash_voucher", f"loan:{loan.pk}",
          [(c, c.user_id, c.template.value_minor, f"note:{c.note_id}") for c in vouchers])
    discount = (Coupon.objects.filter(loan_id=loan.pk, kind=CouponKind.FEE_DISCOUNT, status=CouponStatus.REDEEMED,
                                      paid_minor=0).select_related("template").first())
    if discount is not None:
        # At most what was taken: after a member-tier discount the fee charged is lower.
        fee = charged_origination_fee_minor(Loan.objects.get(pk=loan.pk))
        _post("coupon_fee_discount", f"loan:{loan.pk}",
              [(discount, loan.borrower_id, min(discount.template.value_minor, fee), f"loan:{loan.pk}")])


def boost_minor(interest_minor: int, boost_rate: Decimal, loan_rate: Decimal | None) -> int:
    """Extra interest for one payment's interest part: the part scaled by boost rate / loan rate, half-up."""
    if interest_minor <= 0 or not loan_rate:
        return 0
    return int((Decimal(interest_minor) * boost_rate / loan_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pay_rate_boosts(payments: Sequence[Any]) -> None:
    """Servicing's distribution hook: each boosted note's extra interest, one entry per payment."""
    parts: dict[int, list[tuple[Any, int]]] = {}  # payment id -> [(note, interest part)]
    for payment in payments:
        plan = getattr(payment, "plan", None)
        if payment is None or payment.pk is None or plan is None or plan.charged_off:
            continue
        parts[payment.pk] = [(n, i) for n, i in zip(plan.notes, plan.interest, strict=True) if i > 0]
    note_ids = {n.pk for items in parts.values() for n, _i in items}
    if not note_ids:
        return
    boosts = {c.note_id: c for c in Coupon.objects.filter(
        note_id__in=note_ids, kind=CouponKind.RATE_BOOST, status=CouponStatus.REDEEMED,
        boost_payouts__lt=F("template__boost_months")).select_related("template")}
    if not boosts:
        return
    rates = dict(Loan.objects.filter(notes__pk__in=list(boosts)).values_list("pk", "annual_rate").distinct())
    for payment in payments:
        pays = []
        for note, interest in parts.get(getattr(payment, "pk", None) or 0, []):
            coupon = boosts.get(note.pk)
            if coupon is None or coupon.boost_payouts >= coupon.template.boost_months:
                continue
            extra = boost_minor(interest, coupon.template.boost_rate, rates.get(note.loan_id))
            coupon.boost_payouts += 1  # one payout a month counted, the cap checked in memory for this batch
            Coupon.objects.filter(pk=coupon.pk).update(boost_payouts=F("boost_payouts") + 1)
            pays.append((coupon, coupon.user_id, extra, f"payment:{payment.pk}"))
        _post("coupon_rate_boost", f"payment:{payment.pk}", pays)
