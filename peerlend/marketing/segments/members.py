"""Which members a campaign's segment holds today (ascending ids: a run grants in a stable order)."""

from __future__ import annotations

from datetime import date

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
