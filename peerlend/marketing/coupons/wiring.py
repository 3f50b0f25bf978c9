"""Coupons' hooks into the lower contexts (called from ``MarketingConfig.ready``; never an upward import)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from peerlend.lending.disbursement_hooks import register_after_disbursement
    from peerlend.lending.invest_checks import register_note_coupon_redeemer
    from peerlend.marketing.coupons.payouts import pay_at_disbursement, pay_rate_boosts
    from peerlend.marketing.coupons.redemption import redeem_on_note
    from peerlend.servicing.distribution_hooks import register_distribution_hook

    register_note_coupon_redeemer(redeem_on_note)
    register_after_disbursement("marketing.coupons", pay_at_disbursement)
    register_distribution_hook("marketing.rate_boosts", pay_rate_boosts)
    from peerlend.marketing.coupons.reinstate import reinstate_unused
    from peerlend.servicing.batch import register_step

    register_step("marketing.coupons_reinstate", reinstate_unused)
    try:
        from peerlend.ledger.statements.labels import register_kind_labels
    except ImportError:  # statements not installed in this build
        return
    register_kind_labels(ENTRY_KIND_LABELS)


ENTRY_KIND_LABELS = {
    "coupon_cash_voucher": _("Coupon: cash voucher paid by the platform"),
    "coupon_rate_boost": _("Coupon: extra interest paid by the platform"),
    "coupon_fee_discount": _("Coupon: origination-fee discount paid back"),
}
