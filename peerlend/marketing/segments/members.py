"""Which members a campaign's segment holds today (ascending ids: a run grants in a stable order).

``members_of`` lists them (the row-by-row run, SQLite); ``segment_sql`` is the same segment as one
``SELECT`` of member ids, which the set-based run on PostgreSQL inserts into its work table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from peerlend.marketing.models_campaigns import Campaign, CampaignSegment
from peerlend.marketing.segments import behaviour, rfm


def members_of(campaign: Campaign, today: date) -> list[int]:
    segment = campaign.segment
    if segment == CampaignSegment.RFM_CHAMPIONS:
        return rfm.champions()
    if segment == CampaignSegment.RFM_AT_RISK:
        return rfm.at_risk()
    if segment == CampaignSegment.NEVER_INVESTED:
        return behaviour.never_invested()
    if segment == CampaignSegment.LAPSED_INVESTORS:
        return behaviour.lapsed_investors(today, campaign.lapsed_days)
    if segment == CampaignSegment.BORROWERS_PAID_OFF:
        return behaviour.borrowers_paid_off()
    if segment == CampaignSegment.TAGGED:
        return behaviour.tagged(campaign.tag)
    raise ValueError(f"unknown segment {segment!r}")


def segment_sql(campaign: Campaign, today: date) -> tuple[str, list[Any]]:
    """The segment as ``SELECT user_id FROM (...)``: distinct member ids, in no particular order."""
    segment = campaign.segment
    if segment == CampaignSegment.RFM_CHAMPIONS:
        inner, params = rfm.segment_sql("champions")
    elif segment == CampaignSegment.RFM_AT_RISK:
        inner, params = rfm.segment_sql("at_risk")
    else:
        if segment == CampaignSegment.NEVER_INVESTED:
            qs: Any = behaviour.never_invested_ids()
        elif segment == CampaignSegment.LAPSED_INVESTORS:
            qs = behaviour.lapsed_investors_ids(today, campaign.lapsed_days)
        elif segment == CampaignSegment.BORROWERS_PAID_OFF:
            qs = behaviour.borrowers_paid_off_ids()
        elif segment == CampaignSegment.TAGGED:
            qs = behaviour.tagged_ids(campaign.tag)
        else:
            raise ValueError(f"unknown segment {segment!r}")
        # Each queryset selects exactly one column, the member id; its ORDER BY is dropped (a set).
        inner, sql_params = qs.order_by().query.sql_with_params()
        params = list(sql_params)
    return f"SELECT DISTINCT seg.user_id FROM ({inner}) AS seg (user_id)", params  # noqa: S608
