from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.domain.returns import NoteMonth, _bisect, net_annualized_return, xirr


def _npv(rate: float, flows: list[tuple[date, int]]) -> float:
    first = min(d for d, _ in flows)
    return sum(a / (1 + rate) ** ((d - first).days / 365) for d, a in flows)


def test_xirr_one_year():
    assert xirr([(date(2021, 1, 1), -1000), (date(2022, 1, 1), 1100)]) == Decimal("0.1")
    # A leap year has 366 days, so the same cash grows for slightly more than one 365-day year.
    assert xirr([(date(2020, 1, 1), -1000), (date(2021, 1, 1), 1100)]) == Decimal("0.0997135859")


def test_xirr_spreadsheet_reference_example():
    # The classic spreadsheet XIRR documentation example: 0.373362535 (37.34 %).
    flows = [
        (date(2008, 1, 1), -10000),
        (date(2008, 3, 1), 2750),
        (date(2008, 10, 30), 4250),
        (date(2009, 2, 15), 3250),
        (date(2009, 4, 1), 2750),
    ]
    assert abs(xirr(flows) - Decimal("0.373362535")) < Decimal("1e-8")
    # Order of flows does not matter.
    assert xirr(list(reversed(flows))) == xirr(flows)


def test_xirr_negative_and_zero_returns():
    assert xirr([(date(2021, 1, 1), -1000), (date(2022, 1, 1), 900)]) == Decimal("-0.1")
    assert xirr([(date(2021, 1, 1), -1000), (date(2021, 7, 1), 500), (date(2022, 1, 1), 500)]) == 0


def test_xirr_extremes_use_fallback():
    # 5x in one year: Newton from 10 % may wander; the answer must still be 400 %.
    assert xirr([(date(2021, 1, 1), -1000), (date(2022, 1, 1), 5000)]) == Decimal(4)
    # Near-total loss in a day: the rate is -100 % to 10 places.
    assert xirr([(date(2021, 1, 1), -1000), (date(2021, 1, 2), 1)]) == Decimal(-1)


def test_xirr_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        xirr([(date(2021, 1, 1), -100), (date(2021, 1, 2), 10**9)])


def test_bisection_fallback_agrees_with_newton():
    flows = [(date(2021, 1, 1), -10000)] + [(date(2021, 1, 1) + timedelta(days=30 * k), 900) for k in range(1, 13)]
    first = date(2021, 1, 1)
    times = [(d - first).days / 365 for d, _ in flows]
    amounts = [a for _, a in flows]
    assert abs(Decimal(_bisect(times, amounts)) - xirr(flows)) < Decimal("1e-9")


@pytest.mark.parametrize(
    ("flows", "fragment"),
    [
        ([], "at least one"),
        ([(date(2021, 1, 1), 100), (date(2022, 1, 1), 100)], "sign change"),
        ([(date(2021, 1, 1), -100), (date(2022, 1, 1), -100)], "sign change"),
        ([(date(2021, 1, 1), -100), (date(2021, 1, 1), 110)], "two different dates"),
        ([(date(2021, 1, 1), -100), (date(2022, 1, 1), 110.0)], "integer"),
        ([("2021-01-01", -100), (date(2022, 1, 1), 110)], "date"),
    ],
)
def test_xirr_invalid(flows, fragment):
    with pytest.raises(ValueError, match=fragment):
        xirr(flows)


@settings(max_examples=200, deadline=None)
@given(
    invest=st.integers(min_value=100, max_value=10**9),
    receipts=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=36),
    step=st.integers(min_value=1, max_value=120),
)
def test_xirr_zeroes_the_npv(invest, receipts, step):
    start = date(2020, 1, 1)
    flows = [(start, -invest)] + [(start + timedelta(days=step * (k + 1)), r) for k, r in enumerate(receipts)]
    if sum(receipts) == 0:
        with pytest.raises(ValueError):
            xirr(flows)
        return
    try:
        rate = xirr(flows)
    except ValueError as exc:
        # Only an astronomically large gain over days may exceed the float range.
        assert "out of range" in str(exc)
        assert sum(receipts) > 5 * invest
        return
    assert rate >= -1
    if -1 + 1e-9 < rate < 1000:
        # The root lies within the rounding step: the NPV is tiny there or changes sign across it.
        r = float(rate)
        near_zero = abs(_npv(r, flows)) <= 1e-6 * (invest + sum(receipts))
        lo, hi = _npv(r - 1e-10, flows), _npv(r + 1e-10, flows)
        assert near_zero or (lo > 0) != (hi > 0)


# --- NAR --------------------------------------------------------------------------------------------


def test_nar_single_note_steady():
    # 100.00 outstanding, 1.00 interest and 0.01 fee each month: 0.99 % a month -> 12.5487 % a year.
    months = [NoteMonth(10000, 100, 1, 0)] * 12
    nar = net_annualized_return(months)
    assert abs(float(nar) - (1.0099**12 - 1)) < 1e-9
    assert nar == Decimal("0.1254869569")


def test_nar_is_dollar_weighted():
    # Two notes: the big one earns 1 %/month, the small one nothing; weights 9:1 -> 0.9 %/month.
    months = [NoteMonth(90000, 900), NoteMonth(10000, 0)]
    assert abs(float(net_annualized_return(months)) - (1.009**12 - 1)) < 1e-9


def test_nar_charge_offs_late_fees_and_recoveries():
    months = [
        NoteMonth(10000, 100, 1, 0, late_fees_minor=10),
        NoteMonth(10000, 0, 0, 10000),  # the whole note charged off
        NoteMonth(0, 0, 0, 0, recoveries_minor=2000),
    ]
    # numerator 100 + 10 - 1 - 10000 + 2000 = -7891 over 20000 outstanding
    expected = (1 - 7891 / 20000) ** 12 - 1
    assert abs(float(net_annualized_return(months)) - expected) < 1e-9
    assert net_annualized_return(months) < 0


def test_nar_total_loss_floor():
    assert net_annualized_return([NoteMonth(100, 0, 50, 100)]) == Decimal(-1)


def test_nar_invalid():
    with pytest.raises(ValueError, match="undefined"):
        net_annualized_return([])
    with pytest.raises(ValueError, match="undefined"):
        net_annualized_return([NoteMonth(0, 0)])
    with pytest.raises(ValueError, match="must not be negative"):
        NoteMonth(-1, 0)
    with pytest.raises(ValueError, match="integer"):
        NoteMonth(100, 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NoteMonth"):
        net_annualized_return([(100, 1)])  # type: ignore[list-item]
