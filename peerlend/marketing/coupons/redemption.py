"""Using a coupon, exactly once: online at checkout (on a note), on a loan's fee, or at a service point.

One use under concurrency: the coupon row is locked (``select_for_update``) and the status change is
a compare-and-set (``filter(status="issued").update(...)`` must touch one row), so of any number of
simultaneous attempts exactly one succeeds (tests/marketing/coupons/test_concurrency_pg.py).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.lifecycle import LoanStatus
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.lending.models import Loan
from peerlend.marketing.coupons.codes import normalise
from peerlend.marketing.coupons.rules import check_conditions, offline_investment_refusal
from peerlend.marketing.models_coupons import (
    INVESTMENT_KINDS,
    Coupon,
    CouponChannel,
    CouponKind,
    CouponStatus,
    RedeemChannel,
)

# A fee discount can be attached while the fee is not yet taken (it is paid back at disbursement).
FEE_OPEN_STATUSES = (LoanStatus.DRAFT, LoanStatus.SUBMITTED, LoanStatus.UNDER_REVIEW,
                     LoanStatus.DOCUMENTS_REQUESTED, LoanStatus.APPROVED, LoanStatus.LISTED, LoanStatus.FUNDED)


def _locked(code: str, owner: User | None) -> Coupon:
    """The coupon with this code, locked; 404 for an unknown code or another member's coupon."""
    # Lock the coupon row only (``of``): the template row is shared by every coupon of the kind.
    coupon = (Coupon.objects.select_for_update(of=("self",)).select_related("template")
              .filter(code=normalise(code)).first())
    if coupon is None or (owner is not None and coupon.user_id != owner.pk):
        raise NotFound(_("no coupon of yours has this code"), code="coupon_not_found")
    if coupon.status != CouponStatus.ISSUED:
        raise Conflict(_("this coupon was already used or cancelled"), code="coupon_used")
    return coupon


def _mark_used(coupon: Coupon, **fields: Any) -> None:
    """Compare-and-set: only a coupon still ``issued`` becomes ``redeemed``; a lost race is a 409."""
    fields["redeemed_on"] = business_date()
    if Coupon.objects.filter(pk=coupon.pk, status=CouponStatus.ISSUED).update(status=CouponStatus.REDEEMED,
                                                                               **fields) != 1:
        raise Conflict(_("this coupon was already used or cancelled"), code="coupon_used")
    coupon.status = CouponStatus.REDEEMED
    for name, value in fields.items():
        setattr(coupon, name, value)


def redeem_on_note(investor: User, loan: Any, note: Any, code: str) -> None:
    """Checkout: tie an investment coupon to the note being placed (lending's redeemer hook, in its transaction)."""
    coupon = _locked(code, investor)
    if coupon.kind not in INVESTMENT_KINDS:
        raise ApplicationError(_("this coupon cannot be used on an investment"), code="coupon_wrong_kind")
    if coupon.channel == CouponChannel.OFFLINE:  # the database refuses such a coupon too
        raise offline_investment_refusal()
    check_conditions(coupon.template, today=business_date(), expires_on=coupon.expires_on,
                     amount_minor=note.amount_minor, loan=Loan.objects.get(pk=loan.pk))
    _mark_used(coupon, redeemed_channel=RedeemChannel.ONLINE, note=note)


def _attach_fee_discount(coupon: Coupon, owner_id: int, loan_id: int | None) -> Loan:
    if loan_id is None:
        raise ApplicationError(_("choose the loan this discount is for"), code="loan_required",
                               extra={"field": "loan"})
    loan = Loan.objects.select_for_update().filter(pk=loan_id, borrower_id=owner_id).first()
    if loan is None:
        raise NotFound(_("the coupon's owner has no such loan"), code="loan_not_found")
    if loan.status not in FEE_OPEN_STATUSES:
        raise Conflict(_("the fee of this loan was already taken"), code="loan_fee_taken")
    if Coupon.objects.filter(loan=loan).exclude(status=CouponStatus.VOID).exists():
        raise Conflict(_("this loan already has a fee discount"), code="loan_has_fee_discount")
    check_conditions(coupon.template, today=business_date(), expires_on=coupon.expires_on,
                     amount_minor=loan.amount_minor, loan=loan)
    return loan


def apply_fee_discount(borrower: User, code: str, loan_id: int | None) -> Coupon:
    """Online: a borrower attaches their fee-discount coupon to their own loan before disbursement."""
    with transaction.atomic():
        coupon = _locked(code, borrower)
        if coupon.kind != CouponKind.FEE_DISCOUNT:
            raise ApplicationError(_("this coupon is not a fee discount"), code="coupon_wrong_kind")
        if coupon.channel == CouponChannel.OFFLINE:
            raise PermissionDenied(_("this coupon is used at a service point"), code="coupon_offline_only")
        loan = _attach_fee_discount(coupon, borrower.pk, loan_id)
        _mark_used(coupon, redeemed_channel=RedeemChannel.ONLINE, loan=loan, redeemed_by=borrower)
    return coupon


def redeem_offline(agent: User, code: str, *, loan_id: int | None = None) -> Coupon:
    """An agent types a member's code at their point: service vouchers and fee discounts only (audited).

    The O2O rule: an investment coupon is never used offline, whoever holds it.
    """
    point = require_agent_point(agent)
    with transaction.atomic():
        coupon = _locked(code, None)
        if coupon.kind in INVESTMENT_KINDS:
            raise offline_investment_refusal()
        if coupon.channel == CouponChannel.ONLINE:
            raise PermissionDenied(_("this coupon is used online only"), code="coupon_online_only")
        fields: dict[str, Any] = {"redeemed_channel": RedeemChannel.OFFLINE, "redeemed_by": agent,
                                  "service_point": point}
        loan: Loan | None = None
        if coupon.kind == CouponKind.FEE_DISCOUNT:
            loan = fields["loan"] = _attach_fee_discount(coupon, coupon.user_id, loan_id)
        else:
            check_conditions(coupon.template, today=business_date(), expires_on=coupon.expires_on,
                             amount_minor=coupon.template.min_amount_minor, loan=None)
        _mark_used(coupon, **fields)
        record_audit(actor=agent, action="marketing.coupon_redeemed_offline", target=coupon,
                     old={"status": CouponStatus.ISSUED},
                     new={"status": CouponStatus.REDEEMED, "service_point": point.pk,
                          "loan": loan.pk if loan is not None else None})
    return coupon
