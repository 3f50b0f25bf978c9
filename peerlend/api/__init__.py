"""The JSON API (django-ninja); OpenAPI at /api/docs. One router module per context."""

from peerlend.api import accounts, investing, ledger, lending, servicing
from peerlend.api.base import api

for _module in (accounts, ledger, lending, servicing, investing):
    api.add_router("/", _module.router)

__all__ = ["api"]
