"""Report metrics on crafted scores, checked against figures worked out by hand."""

from decimal import Decimal as D

import pytest

from peerlend.scoring.retraining import metrics


def test_auc_by_hand():
    # Bad rows at 0.2 and 0.4, good at 0.1 and 0.3: 3 of the 4 (bad, good) pairs are ordered right.
    assert metrics.auc([False, True, False, True], [D("0.1"), D("0.2"), D("0.3"), D("0.4")]) == 0.75


def test_auc_ties_count_half_and_perfect_is_one():
    assert metrics.auc([True, False], [D("0.2"), D("0.2")]) == 0.5
    assert metrics.auc([False, False, True], [D("0.1"), D("0.2"), D("0.3")]) == 1.0


def test_auc_needs_both_classes():
    with pytest.raises(ValueError):
        metrics.auc([True, True], [D("0.1"), D("0.2")])


def test_ks_by_hand():
    # From the top: b (0.5, 0), g (0.5, 0.5), b (1, 0.5), g (1, 1): the largest gap is 0.5.
    assert metrics.ks([False, True, False, True], [D("0.1"), D("0.2"), D("0.3"), D("0.4")]) == 0.5
    assert metrics.ks([False, False, True, True], [D("0.1"), D("0.2"), D("0.3"), D("0.4")]) == 1.0


def test_ks_does_not_cut_inside_ties():
    # All PDs equal: no cut separates anything.
    assert metrics.ks([True, False, True, False], [D("0.1")] * 4) == 0.0


def test_calibration_by_decile():
    pds = [D(f"0.{k:02d}") for k in range(1, 21)]  # 0.01 .. 0.20
    y = [k >= 17 for k in range(20)]  # the three riskiest are bad
    table = metrics.calibration(y, pds)
    assert [row["n"] for row in table] == [2] * 10
    assert table[0] == {"decile": 1, "n": 2, "pd_from": "0.01", "pd_to": "0.02", "predicted": 0.015,
                        "observed": 0.0}
    assert table[8]["observed"] == 0.5 and table[9]["observed"] == 1.0


def test_approval_and_expected_loss_at_the_cutoff():
    out = metrics.at_cutoff([False, True, True], [D("0.05"), D("0.2001"), D("0.10")], [1000_00, 5000_00, 2000_00])
    assert out["approved"] == 2 and out["approval_rate"] == pytest.approx(2 / 3, abs=1e-8)
    assert out["approved_amount_minor"] == 3000_00
    # 0.05 x 0.85 x 100000 + 0.10 x 0.85 x 200000 = 4250 + 17000 minor units
    assert out["expected_loss_minor"] == 21250
    assert out["observed_bad_rate_approved"] == 0.5
    assert out["cutoff_pd"] == "0.2001"
