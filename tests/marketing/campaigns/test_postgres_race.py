"""PostgreSQL: eight concurrent runs of one campaign never pass its budget and grant each member once."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from peerlend.accounts.models import User
from peerlend.marketing.campaigns.running import run_campaign, run_due_campaigns
from peerlend.marketing.campaigns.services import define_campaign
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant
from peerlend.marketing.models_members import PointsEntry
from tests.marketing.campaigns.conftest import TODAY, campaign_input, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_stay_within_the_budget(operator: User) -> None:
    for _ in range(6):
        member()
    campaign = define_campaign(actor=operator, data=campaign_input(points=10, budget=35))
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []
    granted: list[int] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            granted.append(run_campaign(campaign.pk) if i % 2 else run_due_campaigns(TODAY))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors, errors
    assert sum(granted) == 3
    done = Campaign.objects.get(pk=campaign.pk)
    assert (done.spent, done.left_out) == (30, 3)
    assert CampaignGrant.objects.count() == 3
    assert PointsEntry.objects.filter(reason="campaign_task").count() == 3
