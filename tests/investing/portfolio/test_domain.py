"""Pure return inputs: payment periods of a note, loss buckets, adjusted NAR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from peerlend.domain.portfolio_returns import (
    LOSS_BUCKETS,
    NoteFlow,
    adjusted_net_annualized_return,
    bucket_for,
    expected_loss_minor,
    note_months,
)
from peerlend.domain.returns import NoteMonth, net_annualized_return

START = date(2026, 1, 31)


def test_no_period_ended_is_new():
    assert note_months(100_00, START, [], date(2026, 2, 27)) == []
    with pytest.raises(ValueError):
        net_annualized_return(note_months(100_00, START, [], date(2026, 2, 27)))


def test_periods_end_on_due_dates_clamped_to_month_end():
    # Due dates: Feb 28, Mar 31: on Feb 28 one period has ended, on Mar 30 still one.
    assert len(note_months(100_00, START, [], date(2026, 2, 28))) == 1
    assert len(note_months(100_00, START, [], date(2026, 3, 30))) == 1
    assert len(note_months(100_00, START, [], date(2026, 3, 31))) == 2


def test_payment_goes_to_its_period_and_reduces_the_next_outstanding():
    flows = [NoteFlow(on=date(2026, 2, 28), principal=30_00, interest=1_00, fee=10),
             NoteFlow(on=date(2026, 3, 5), principal=10_00, interest=50)]  # an early payment in period 2
    months = note_months(100_00, START, flows, date(2026, 3, 10))
    assert months == [
        NoteMonth(principal_outstanding_minor=100_00, interest_received_minor=1_00, service_fees_minor=10),
        NoteMonth(principal_outstanding_minor=70_00, interest_received_minor=50),
    ]


def test_charge_off_and_recovery():
    flows = [NoteFlow(on=date(2026, 2, 10), charge_off=100_00), NoteFlow(on=date(2026, 4, 2), recovery=20_00)]
    months = note_months(100_00, START, flows, date(2026, 4, 2))
    assert [m.charge_offs_minor for m in months] == [100_00, 0, 0]
    assert [m.principal_outstanding_minor for m in months] == [100_00, 0, 0]
    assert months[2].recoveries_minor == 20_00
    # All lost but a fifth: (1 - 0.8) ** 12 - 1
    assert net_annualized_return(months) == (Decimal("0.2") ** 12 - 1).quantize(Decimal("1e-10"))


@pytest.mark.parametrize(("days", "code"), [(0, "current"), (1, "grace"), (15, "grace"), (16, "late_16_30"),
                                            (30, "late_16_30"), (31, "late_31_120"), (120, "late_31_120"),
                                            (121, "default"), (10_000, "default")])
def test_buckets_cover_every_day(days, code):
    assert bucket_for(days).code == code


def test_bucket_refuses_negative_days():
    with pytest.raises(ValueError):
        bucket_for(-1)


def test_expected_loss_rounds_half_up():
    assert expected_loss_minor(10_001, 20) == 2500  # 2500.25
    assert expected_loss_minor(10_002, 20) == 2501  # 2500.5 -> up
    assert expected_loss_minor(10_000, 0) == 0
    assert [b.loss_rate for b in LOSS_BUCKETS] == sorted(b.loss_rate for b in LOSS_BUCKETS)


def test_adjusted_nar_counts_expected_loss_as_charged_off():
    months = [NoteMonth(principal_outstanding_minor=100_00, interest_received_minor=1_00)]
    assert adjusted_net_annualized_return(months, 0) == net_annualized_return(months)
    adjusted = adjusted_net_annualized_return(months, 50)
    assert adjusted == net_annualized_return([NoteMonth(100_00, 1_00, charge_offs_minor=50)])
    assert adjusted < net_annualized_return(months)
    with pytest.raises(ValueError):
        adjusted_net_annualized_return([], 10)
