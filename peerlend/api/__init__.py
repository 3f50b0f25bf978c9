"""The JSON API (django-ninja); OpenAPI at /api/docs. One router module per context."""

from peerlend.api import (
    accounts,
    disclosure_monthly,
    disclosure_public,
    investing,
    ledger,
    lending,
    marketing_coupons,
    marketing_members,
    marketing_referrals,
    network,
    servicing,
)
from peerlend.api.base import api

for _module in (accounts, ledger, lending, servicing, investing, disclosure_public, marketing_members, network,
                marketing_coupons, disclosure_monthly, marketing_referrals):
    api.add_router("/", _module.router)

__all__ = ["api"]
