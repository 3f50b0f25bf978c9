"""API routes of the investing context, one module per part, all under /api/investing/."""

from __future__ import annotations

from ninja import Router

from peerlend.api import investing_autoinvest, investing_plans, investing_portfolio, investing_statements

router = Router(tags=["investing"])
for _part in (investing_autoinvest, investing_portfolio, investing_statements, investing_plans):
    router.add_router("/", _part.router)
