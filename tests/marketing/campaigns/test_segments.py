"""Segments on crafted data: behaviour, agents' tags, and RFM quintile scores."""

from __future__ import annotations

import datetime as dt

from peerlend.marketing.models_staff import MemberTag
from peerlend.marketing.segments import behaviour, rfm
from tests.marketing.campaigns.conftest import TODAY, loan, member, note, repayment


def test_never_invested_holds_investors_without_a_note(db: None) -> None:
    fresh = member()
    invested = member()
    note(invested, 100_00, TODAY)
    borrower = member(("borrower",))
    ids = behaviour.never_invested()
    assert fresh.pk in ids
    assert invested.pk not in ids
    assert borrower.pk not in ids


def test_refunded_note_still_counts_as_having_invested(db: None) -> None:
    tried = member()
    note(tried, 100_00, TODAY, status="refunded")
    assert tried.pk not in behaviour.never_invested()


def test_lapsed_investors_by_their_last_note(db: None) -> None:
    old = member()
    note(old, 100_00, TODAY - dt.timedelta(days=200))
    back = member()
    note(back, 100_00, TODAY - dt.timedelta(days=200))
    note(back, 100_00, TODAY - dt.timedelta(days=10))
    edge = member()
    note(edge, 100_00, TODAY - dt.timedelta(days=90))
    ids = behaviour.lapsed_investors(TODAY, 90)
    assert old.pk in ids
    assert back.pk not in ids
    assert edge.pk not in ids  # exactly 90 days ago is not more than 90


def test_borrowers_paid_off_in_good_standing(db: None) -> None:
    day = TODAY - dt.timedelta(days=100)
    good = member(("borrower",))
    loan(good, status="fully_paid", installments=((day, day),))
    paid_late = member(("borrower",))
    loan(paid_late, status="fully_paid", installments=((day, day + dt.timedelta(days=3)),))
    late_now = member(("borrower",))
    loan(late_now, status="prepaid")
    loan(late_now, status="late")
    still_paying = member(("borrower",))
    loan(still_paying, status="current")
    assert behaviour.borrowers_paid_off() == [good.pk]


def test_tagged_members(db: None) -> None:
    a, b, agent = member(), member(), member(("agent",))
    MemberTag.objects.create(member=a, tag="vip", added_by=agent)
    MemberTag.objects.create(member=b, tag="teacher", added_by=agent)
    assert behaviour.tagged("vip") == [a.pk]


def test_rfm_scores_rank_by_quintile(db: None) -> None:
    users = [member() for _ in range(5)]
    for i, user in enumerate(users):  # user i: i+1 notes of (i+1)*100 CNY, the last one i*10 days ago... reversed
        for n in range(i + 1):
            note(user, (i + 1) * 100_00, TODAY - dt.timedelta(days=50 - 10 * i + n))
    scores = rfm.rfm_scores()
    best, worst = scores[users[4].pk], scores[users[0].pk]
    assert (best.r, best.f, best.m) == (5, 5, 5)
    assert (worst.r, worst.f, worst.m) == (1, 1, 1)
    assert scores[users[2].pk].f == 3
    assert best.frequency == 5 and best.monetary_minor == 5 * 500_00
    assert rfm.champions() == [users[3].pk, users[4].pk]


def test_rfm_counts_repayments_and_ties_score_alike(db: None) -> None:
    investor, borrower = member(), member(("borrower",))
    note(investor, 300_00, TODAY - dt.timedelta(days=5))
    repayment(borrower, 300_00, TODAY - dt.timedelta(days=5))
    scores = rfm.rfm_scores()
    assert scores[borrower.pk].frequency == 1
    assert (scores[borrower.pk].r, scores[borrower.pk].m) == (scores[investor.pk].r, scores[investor.pk].m)


def test_rfm_at_risk_were_frequent_but_not_recent(db: None) -> None:
    users = [member() for _ in range(5)]
    for i, user in enumerate(users):
        for n in range(i + 1):  # the most frequent member is also the least recent
            note(user, 100_00, TODAY - dt.timedelta(days=10 * i + 100 + n))
    assert rfm.at_risk() == [users[3].pk, users[4].pk]


def test_no_activity_no_scores(db: None) -> None:
    member()
    assert rfm.rfm_scores() == {}
