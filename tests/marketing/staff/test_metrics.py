"""The six measured facts, grouped by agent, point, city and month, counted only inside the month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peerlend.marketing.staff.metrics import actuals, metric_by
from tests.marketing.staff.conftest import MONTH, agent_at, collected, figures, filed_loan, point, registered

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def world() -> dict[str, Any]:
    bj, sh = point("Beijing"), point("Shanghai")
    a1, a2, a3 = agent_at(bj), agent_at(bj), agent_at(sh)
    registered(a1, bj, on=MONTH, verify=True)
    registered(a1, bj, on=dt.date(2026, 3, 31), verify=False)
    registered(a1, bj, on=dt.date(2026, 2, 28), verify=True)  # last month: not counted in March
    registered(a2, bj, on=dt.date(2026, 3, 15), verify=True)
    registered(a3, sh, on=dt.date(2026, 3, 10))
    on_time = filed_loan(a1, bj, amount_minor=20_000_00, disbursed_on=dt.date(2026, 3, 5),
                         installments=[(dt.date(2026, 3, 20), dt.date(2026, 3, 20))])
    filed_loan(a1, bj, amount_minor=5_000_00, installments=[(dt.date(2026, 3, 25), dt.date(2026, 3, 27))])
    filed_loan(a3, sh, amount_minor=7_000_00, submitted_on=dt.date(2026, 2, 27), disbursed_on=dt.date(2026, 3, 2),
               installments=[(dt.date(2026, 3, 28), None)])
    collected(a2, on_time, 300_00, on=dt.date(2026, 3, 21))
    collected(a2, on_time, 999_00, on=dt.date(2026, 4, 2))  # next month
    return {"bj": bj, "sh": sh, "a1": a1, "a2": a2, "a3": a3}


def test_by_agent_counts_each_fact_in_the_month(world: dict[str, Any]) -> None:
    got = actuals("agent", MONTH, APRIL)
    assert got[world["a1"].pk] == figures(members_registered=2, identities_verified=1, applications_originated=2,
                                          amount_originated_minor=20_000_00, loans_repaid_on_time=1)
    assert got[world["a2"].pk] == figures(members_registered=1, identities_verified=1,
                                          collections_recovered_minor=300_00)
    assert got[world["a3"].pk] == figures(members_registered=1, amount_originated_minor=7_000_00)


def test_by_point_and_city_add_up_the_agents(world: dict[str, Any]) -> None:
    by_point = actuals("point", MONTH, APRIL)
    assert by_point[world["bj"].pk]["members_registered"] == 3
    assert by_point[world["bj"].pk]["collections_recovered_minor"] == 300_00
    by_city = actuals("city", MONTH, APRIL)
    assert set(by_city) == {"Beijing", "Shanghai"}
    assert by_city["Beijing"]["identities_verified"] == 2
    assert by_city["Shanghai"]["amount_originated_minor"] == 7_000_00


def test_by_month_separates_the_months(world: dict[str, Any]) -> None:
    got = actuals("month", dt.date(2026, 2, 1), APRIL)
    assert got[dt.date(2026, 2, 1)]["members_registered"] == 1
    assert got[dt.date(2026, 2, 1)]["applications_originated"] == 1
    assert got[MONTH]["members_registered"] == 4


def test_an_installment_not_yet_due_is_not_late(world: dict[str, Any]) -> None:
    # On 26 March the 28 March installment is not due: the Shanghai loan is neither on time nor late yet.
    assert metric_by("loans_repaid_on_time", "agent", MONTH, APRIL, as_of=dt.date(2026, 3, 26)) == {
        world["a1"].pk: 1}


def test_online_members_and_own_repayments_do_not_count(world: dict[str, Any]) -> None:
    from tests.factories import make_user

    make_user(roles=("borrower",), kyc=False)
    before = actuals("agent", MONTH, APRIL)
    assert sum(v["members_registered"] for v in before.values()) == 4
