"""A short simulation through the platform's services: books clean, figures add up, same seed same report."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from peerlend.lending.models import Loan, Note
from peerlend.simulation.engine import SimConfig, Simulator

pytestmark = pytest.mark.slow

CONFIG = SimConfig(seed=11, months=4, borrowers=40, investors=12, agents=2, showcase=True)


def _run() -> dict:
    return Simulator(CONFIG).run()


@pytest.mark.django_db
def test_short_simulation_keeps_the_books():
    report = _run()
    assert report["audit"] == {"clean": True, "violations": []}
    disbursed = Loan.objects.filter(disbursed_on__isnull=False)
    assert disbursed.count() == report["originated"]["loans"] > 0
    volume = disbursed.aggregate(s=Sum("amount_minor"))["s"]
    notes = Note.objects.filter(loan__in=disbursed).aggregate(s=Sum("amount_minor"))["s"]
    assert Decimal(report["originated"]["volume"]) * 100 == volume == notes
    assert report["repayments"]["balanced"] is True
    assert Decimal(report["repayments"]["cash_in"]) > 0
    channels = report["originated"]["by_channel"]
    assert channels["online"]["loans"] + channels["offline"]["loans"] == report["originated"]["loans"]
    assert sum(row["loans"] for row in report["by_grade"].values()) == report["originated"]["loans"]
    # The showcase paths happened: a default, a prepayment, a cancellation.
    statuses = report["loans_by_status"]
    assert statuses.get("prepaid", 0) >= 1 and statuses.get("cancelled", 0) == 1
    assert statuses.get("defaulted", 0) + statuses.get("late", 0) >= 1


@pytest.mark.django_db
def test_same_seed_gives_identical_report():
    with transaction.atomic():
        first = json.dumps(_run(), sort_keys=True)
        transaction.set_rollback(True)
    with transaction.atomic():
        second = json.dumps(_run(), sort_keys=True)
        transaction.set_rollback(True)
    assert first == second
