"""RFM in one SQL statement (both databases) equals its definition: quintiles of strictly smaller values."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left

from peerlend.marketing.segments import rfm
from tests.marketing.campaigns.conftest import TODAY, business_day, member, note, repayment  # noqa: F401


def _quintile(values: list[int], value: int) -> int:
    ordered = sorted(values)
    return 1 + bisect_left(ordered, value) * 5 // len(ordered)


def test_sql_scores_equal_the_definition_on_random_activity(db: None) -> None:
    rng = random.Random(15)
    users = [member(("investor", "borrower")) for _ in range(23)]
    expected: dict[int, list[tuple[dt.date, int]]] = {}
    for user in users[:21]:  # two members stay inactive
        for _ in range(rng.randint(1, 4)):
            day, amount = TODAY - dt.timedelta(days=rng.randint(0, 8) * 10), rng.choice([100_00, 250_00, 400_00])
            if rng.random() < 0.3:
                repayment(user, amount, day)
            else:
                note(user, amount, day)
            expected.setdefault(user.pk, []).append((day, amount))
        if rng.random() < 0.2:
            note(user, 999_00, TODAY, status="refunded")  # never counts
    facts = {uid: (max(d for d, _ in acts).toordinal(), len(acts), sum(a for _, a in acts))
             for uid, acts in expected.items()}
    scores = rfm.rfm_scores()
    assert set(scores) == set(facts)
    for uid, (last, n, total) in facts.items():
        s = scores[uid]
        assert (s.last_day.toordinal(), s.frequency, s.monetary_minor) == (last, n, total)
        assert (s.r, s.f, s.m) == (_quintile([v[0] for v in facts.values()], last),
                                   _quintile([v[1] for v in facts.values()], n),
                                   _quintile([v[2] for v in facts.values()], total))
    assert rfm.champions() == sorted(u for u, s in scores.items() if min(s.r, s.f, s.m) >= 4)
    assert rfm.at_risk() == sorted(u for u, s in scores.items() if s.r <= 2 and s.f >= 3)
    assert rfm.summary() == {"scored": 21, "champions": len(rfm.champions()), "at_risk": len(rfm.at_risk())}


def test_summary_of_an_empty_book(db: None) -> None:
    member()
    assert rfm.summary() == {"scored": 0, "champions": 0, "at_risk": 0}


def test_a_compensation_is_not_the_borrowers_activity(db: None) -> None:
    borrower = member(("borrower",))
    payment = repayment(borrower, 100_00, TODAY)
    payment.kind = "compensation"
    payment.save(update_fields=["kind"])
    assert rfm.rfm_scores() == {}
