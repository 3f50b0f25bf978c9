"""Completion reports: actual vs target, completion %, point targets adding up to city and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peerlend.accounts.models import User
from peerlend.marketing.staff.report import Cell, agent_progress, completion_report
from peerlend.marketing.staff.targets import TargetInput, set_target
from tests.marketing.staff.conftest import MONTH, agent_at, figures, point, registered

pytestmark = pytest.mark.django_db


def test_percent_is_rounded_half_up_and_absent_without_target() -> None:
    assert Cell(1, 3).percent == Decimal("33.3")
    assert Cell(2, 3).percent == Decimal("66.7")
    assert Cell(5, 4).percent == Decimal("125.0")
    assert Cell(5, 0).percent is None


def test_agent_report_compares_with_the_agents_target(operator: User) -> None:
    p = point()
    a1, a2 = agent_at(p), agent_at(p)
    for day in (3, 4, 5):
        registered(a1, p, on=dt.date(2026, 3, day))
    set_target(actor=operator, data=TargetInput(MONTH, a1.pk, None, figures(members_registered=4)))
    set_target(actor=operator, data=TargetInput(MONTH, a2.pk, None, figures(members_registered=2)))
    report = completion_report("agent", MONTH)
    rows = {r.key: r for r in report.rows}
    assert rows[a1.pk].cells["members_registered"] == Cell(3, 4)
    assert rows[a1.pk].cells["members_registered"].percent == Decimal("75.0")
    assert rows[a2.pk].cells["members_registered"] == Cell(0, 2)  # a target and nothing done: still a row
    assert report.total()["members_registered"] == Cell(3, 6)


def test_city_and_month_use_point_targets(operator: User) -> None:
    bj1, bj2, sh = point("Beijing"), point("Beijing"), point("Shanghai")
    registered(agent_at(bj1), bj1, on=MONTH)
    registered(agent_at(sh), sh, on=MONTH)
    for p, n in ((bj1, 2), (bj2, 3), (sh, 4)):
        set_target(actor=operator, data=TargetInput(MONTH, None, p.pk, figures(members_registered=n)))
    city = {r.key: r.cells["members_registered"] for r in completion_report("city", MONTH).rows}
    assert city == {"Beijing": Cell(1, 5), "Shanghai": Cell(1, 4)}
    months = completion_report("month", MONTH).rows
    assert [r.label for r in months] == ["2026-03"]
    assert months[0].cells["members_registered"] == Cell(2, 9)


def test_agent_progress_is_the_agents_own(operator: User) -> None:
    p = point()
    mine, other = agent_at(p), agent_at(p)
    registered(mine, p, on=MONTH, verify=True)
    registered(other, p, on=MONTH)
    set_target(actor=operator, data=TargetInput(MONTH, mine.pk, None, figures(identities_verified=2)))
    progress = agent_progress(mine.pk, MONTH)
    assert progress["members_registered"] == Cell(1, 0)
    assert progress["identities_verified"] == Cell(1, 2)
