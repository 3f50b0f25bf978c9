"""Giving a coupon back when what it was used on never happened (a run-day step, safe to re-run).

A cash voucher or rate boost used on a note whose listing expired or was cancelled (the note was
refunded) was never paid: the member gets it back to use again. So does a fee discount on a loan
that was rejected, cancelled or expired before its fee was taken.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import NoteStatus
from peerlend.marketing.models_coupons import Coupon, CouponStatus

NEVER_DISBURSED = (LoanStatus.REJECTED, LoanStatus.CANCELLED, LoanStatus.EXPIRED)
_UNUSED = {"status": CouponStatus.ISSUED, "redeemed_on": None, "redeemed_channel": "", "redeemed_by": None,
           "service_point": None, "note": None, "loan": None}


def reinstate_unused(today: date, chunk_size: int = 0) -> int:
    """Coupons used on refunded notes or never-disbursed loans become usable again; returns how many."""
    with transaction.atomic():
        on_notes = Coupon.objects.filter(status=CouponStatus.REDEEMED, paid_minor=0,
                                         note__status=NoteStatus.REFUNDED)
        on_loans = Coupon.objects.filter(status=CouponStatus.REDEEMED, paid_minor=0,
                                         loan__status__in=NEVER_DISBURSED)
        ids = sorted(set(on_notes.values_list("pk", flat=True)) | set(on_loans.values_list("pk", flat=True)))
        if not ids:
            return 0
        # Compare-and-set on the status: a coupon used again meanwhile is left alone.
        return Coupon.objects.filter(pk__in=ids, status=CouponStatus.REDEEMED, paid_minor=0).update(**_UNUSED)
