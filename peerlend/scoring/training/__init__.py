"""Training and evaluating the credit model (needs the ``train`` extra: scikit-learn,
matplotlib). Nothing at run time imports this module.

Model choices (sign rules, spline knots, C) are made inside training folds by nested
cross-validation, with a fixed hold-out no choice sees (``selection``); any tabular CSV goes
through the same selection (``tabular``).

Pipeline (the same for Lending Club and German credit): unknown values -> training mean;
clip each input to its training 0.5-99.5 percentile range; an input with no required
direction (sign 0) and at least ``SPLINE_MIN_DISTINCT`` distinct values enters as a cubic
B-spline (quantile knots), every other input linearly; standardise; L2-regularised
logistic regression (C chosen in the inner folds); drop linear inputs whose weight
has the sign domain knowledge forbids, refit. Evaluation: stratified k-fold cross-validation,
out-of-fold AUC, KS and Gini per fold (mean and standard deviation), and Lending Club's own
sub_grade scored on the very same folds as the benchmark.

Modules, in pipeline order: ``data`` (reading the tables), ``fit`` (the model), ``evaluation``
(cross-validation and tables), ``artifact`` (the shipped JSON), ``pipeline`` (``train``) and
``card`` (docs/model-card.md and its plot).
"""

from __future__ import annotations

from peerlend.scoring.features import FEATURES
from peerlend.scoring.training.artifact import CURVE_POINTS, SCALING, build_artifact, dump_artifact
from peerlend.scoring.training.card import model_card, plot_calibration
from peerlend.scoring.training.data import LcData, load_german, load_lc
from peerlend.scoring.training.evaluation import (
    FOLDS,
    calibration_table,
    cross_validate,
    fold_metrics,
    grade_table,
    ks_stat,
)
from peerlend.scoring.training.fit import C_REGULARISATION, Fitted, fit_logistic
from peerlend.scoring.training.pipeline import TrainingResult, default_data_dir, lc_rule_sets, repo_root, train

__all__ = [
    "CURVE_POINTS",
    "C_REGULARISATION",
    "FEATURES",
    "FOLDS",
    "SCALING",
    "Fitted",
    "LcData",
    "TrainingResult",
    "build_artifact",
    "calibration_table",
    "cross_validate",
    "default_data_dir",
    "dump_artifact",
    "fit_logistic",
    "fold_metrics",
    "grade_table",
    "ks_stat",
    "lc_rule_sets",
    "load_german",
    "load_lc",
    "model_card",
    "plot_calibration",
    "repo_root",
    "train",
]
