"""Honest model selection: choices inside training folds only, comparators on the same outer folds."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from peerlend.scoring.training import selection
from peerlend.scoring.training.selection import (
    Config,
    candidate_configs,
    choose_config,
    holdout_split,
    nested_compare,
    select_and_fit,
)


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 2] = np.round(rng.uniform(0, 30, size=n))  # many distinct values: may become a curve
    z = -2 + 1.2 * X[:, 0] + 0.04 * (X[:, 2] - 15) ** 2 / 5
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X[rng.random(n) < 0.05, 1] = np.nan  # unknown values
    return X, y, ["a", "b", "c"]


RULES = {"free": [0, 0, 0], "signed": [1, 1, 1]}


def test_candidates_vary_knots_only_where_an_input_can_be_a_curve():
    X, _, _ = _data()
    configs = candidate_configs(X, RULES)
    assert {c.knots for c in configs if c.rules == "free"} == set(selection.KNOTS_GRID)
    assert {c.knots for c in configs if c.rules == "signed"} == {0}
    assert {c.C for c in configs} == set(selection.C_GRID)


def test_the_holdout_is_fixed_stratified_and_disjoint():
    _, y, _ = _data()
    dev, hold = holdout_split(y, 42)
    assert set(dev).isdisjoint(hold) and len(dev) + len(hold) == len(y)
    assert len(hold) == round(len(y) * selection.HOLDOUT_SHARE)
    assert abs(y[hold].mean() - y[dev].mean()) < 0.02
    assert np.array_equal(holdout_split(y, 42)[1], hold)


def test_choice_depends_only_on_the_rows_it_is_given():
    X, y, names = _data()
    a = choose_config(X[:400], y[:400], names, RULES, 1)
    y2 = y.copy()
    y2[400:] = 1 - y2[400:]  # rows it is not given: must not matter
    b = choose_config(X[:400], y2[:400], names, RULES, 1)
    assert a == b


def test_nested_comparison_never_looks_at_the_holdout():
    X, y, names = _data()
    s1 = select_and_fit(X, y, names, RULES, 5)
    _, hold = holdout_split(y, 5)
    X2 = X.copy()
    X2[hold] = np.random.default_rng(9).normal(size=X2[hold].shape)  # garbage in the hold-out only
    s2 = select_and_fit(X2, y, names, RULES, 5)
    assert s1.compare["auc_per_fold"] == s2.compare["auc_per_fold"]
    assert s1.config == s2.config and s1.config_table == s2.config_table
    assert s1.holdout != s2.holdout  # the hold-out is only used for the final measurement


def test_outer_folds_compare_three_models_on_the_same_folds():
    X, y, names = _data()
    c = nested_compare(X, y, names, RULES, 3, benchmark=X[:, 0], policy_inputs=[0, 2])
    assert set(c["models"]) == {"pipeline", "plain_logistic", "gradient_boosting", "plain_logistic_policy"}
    assert all(len(v) == 5 for v in c["auc_per_fold"].values())
    assert len(c["chosen"]) == 5 and all(set(ch) == {"rules", "C", "knots"} for ch in c["chosen"])
    assert c["models"]["pipeline"]["auc"]["mean"] > 0.65  # the signal is real


def test_best_on_outer_folds_picks_the_highest_mean():
    models = {k: {"auc": {"mean": m, "std": 0.0}} for k, m in
              (("pipeline", 0.70), ("plain_logistic", 0.71), ("gradient_boosting", 0.69))}
    assert selection.best_on_outer_folds({"models": models}) == "plain_logistic"
    models["pipeline"]["auc"]["mean"] = 0.71  # a tie goes to the shipped pipeline
    assert selection.best_on_outer_folds({"models": models}) == "pipeline"


def test_config_round_trips_through_the_summary():
    X, y, names = _data(400)
    s = select_and_fit(X, y, names, RULES, 2)
    chosen = s.summary()["chosen"]
    assert Config(**chosen) == s.config
    assert s.summary()["rows"] == {"development": 320, "holdout": 80}
