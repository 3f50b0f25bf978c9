"""The coupon rules every use case applies: the O2O channel rule and a template's conditions.

China's 2016 P2P measures (Art. 10(4), Art. 16; DESIGN.md O2O): offline premises may not promote or
sell investments. So an offline channel never issues an investment coupon (cash voucher, rate boost)
and never records an investment; the database holds the same rule (``models_coupons``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from peerlend.domain.money import format_grouped
from peerlend.errors import ApplicationError
from peerlend.marketing.models_coupons import INVESTMENT_KINDS, CouponChannel, CouponTemplate


def offline_investment_refusal() -> ApplicationError:
    return ApplicationError(
        _("investment coupons (cash vouchers, rate boosts) are never issued or used at a service point"),
        code="offline_investment_coupon", status=403,
    )


def check_channel_rule(kind: str, channel: str) -> None:
    """Refuse an offline-only investment coupon (the O2O rule)."""
    if channel == CouponChannel.OFFLINE and kind in INVESTMENT_KINDS:
        raise offline_investment_refusal()


def check_conditions(template: CouponTemplate, *, today: date, expires_on: date, amount_minor: int,
                     loan: Any) -> None:
    """Refuse (400 ``coupon_not_applicable``) a use outside the template's validity or conditions."""
    if today < template.valid_from or today > expires_on:
        raise _not_applicable(_("this coupon is valid from %(start)s to %(end)s")
                              % {"start": template.valid_from, "end": expires_on})
    if loan is None:  # a service voucher: no amount or loan to check
        return
    if amount_minor < template.min_amount_minor:
        raise _not_applicable(_("this coupon needs an amount of at least %(min)s CNY")
                              % {"min": format_grouped(template.min_amount_minor)})  # as the pages show it
    if template.eligible_grades and (loan.grade or "")[:1] not in template.eligible_grades:
        raise _not_applicable(_("this coupon is for grades %(grades)s only")
                              % {"grades": ", ".join(template.eligible_grades)})
    if template.eligible_terms and loan.term_months not in template.eligible_terms:
        raise _not_applicable(_("this coupon is for terms of %(terms)s months only")
                              % {"terms": ", ".join(str(t) for t in template.eligible_terms)})
    if template.eligible_methods and loan.repayment_method not in template.eligible_methods:
        raise _not_applicable(_("this coupon is not for this repayment method"))


def _not_applicable(message: str) -> ApplicationError:
    return ApplicationError(message, code="coupon_not_applicable")
