"""Honest model selection: every modelling choice is made inside training folds only.

The data are split once into a development part and a fixed, stratified hold-out (``HOLDOUT_SHARE``)
that no choice and no cross-validation ever sees. On the development part, nested cross-validation:
for each outer fold, an inner cross-validation on the outer training rows picks the configuration
(sign rules, spline knots, regularisation C); the pipeline refit with it scores the outer test rows.
On the very same outer folds, two comparators without any tuning: a plain logistic regression on the
same inputs and scikit-learn's HistGradientBoostingClassifier with its default settings. Finally the
configuration is chosen by cross-validation on the whole development part, and each of the three is
fitted on the development part and measured once on the hold-out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from peerlend.scoring.training.evaluation import FOLDS, fold_metrics, rounded, summarise
from peerlend.scoring.training.fit import SPLINE_MIN_DISTINCT, Fitted, fit_logistic

HOLDOUT_SHARE = 0.2
INNER_FOLDS = 3
C_GRID = (0.02, 0.1, 1.0)
KNOTS_GRID = (0, 4)  # 0: straight lines only
# Inner selection on more rows than this uses a stratified sample of them (still training rows only):
# it keeps a 24,000-row table's nested selection within minutes; Lending Club's 6,308 are all used.
INNER_MAX_ROWS = 6400
COMPARATORS = ("pipeline", "plain_logistic", "gradient_boosting")
# Plain logistic regression on only the inputs a platform policy lets count in the data's direction
# (Lending Club: all but income verification); compared when a policy exists.
POLICY_COMPARATOR = "plain_logistic_policy"


@dataclass(frozen=True)
class Config:
    rules: str  # name of a sign rule set
    C: float
    knots: int

    def as_dict(self) -> dict[str, Any]:
        return {"rules": self.rules, "C": self.C, "knots": self.knots}


def candidate_configs(X: np.ndarray, rule_sets: Mapping[str, Sequence[int]]) -> list[Config]:
    """Every combination; spline knots only vary where some input could become a curve."""
    out = []
    for rules, signs in rule_sets.items():
        curvable = any(s == 0 and len(np.unique(X[~np.isnan(X[:, j]), j])) >= SPLINE_MIN_DISTINCT
                       for j, s in enumerate(signs))
        for C in C_GRID:
            for knots in KNOTS_GRID if curvable else (0,):
                out.append(Config(rules, C, knots))
    return out


def fit_config(X: np.ndarray, y: np.ndarray, names: Sequence[str], rule_sets: Mapping[str, Sequence[int]],
               config: Config) -> Fitted:
    return fit_logistic(X, y, names, rule_sets[config.rules], C=config.C, knots=config.knots)


def choose_config(X: np.ndarray, y: np.ndarray, names: Sequence[str], rule_sets: Mapping[str, Sequence[int]],
                  seed: int) -> tuple[Config, list[dict[str, Any]]]:
    """The configuration with the best mean AUC over an inner cross-validation of these rows only."""
    if len(y) > INNER_MAX_ROWS:
        keep, _ = train_test_split(np.arange(len(y)), train_size=INNER_MAX_ROWS, stratify=y, random_state=seed)
        X, y = X[np.sort(keep)], y[np.sort(keep)]
    skf = StratifiedKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=seed)
    splits = list(skf.split(X, y))
    table = []
    for config in candidate_configs(X, rule_sets):
        aucs = [roc_auc_score(y[te], fit_config(X[tr], y[tr], names, rule_sets, config).predict(X[te]))
                for tr, te in splits]
        table.append({**config.as_dict(), "auc": rounded(float(np.mean(aucs)))})
    # Ties go to the earlier (stronger regularised, simpler) candidate.
    best = max(range(len(table)), key=lambda i: (table[i]["auc"], -i))
    return Config(table[best]["rules"], table[best]["C"], table[best]["knots"]), table


def plain_logistic_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    """The simplest honest model: unknown -> training mean, standardise, logistic regression with defaults."""
    mean = np.nanmean(X_train, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    a = np.where(np.isnan(X_train), mean, X_train)
    b = np.where(np.isnan(X_test), mean, X_test)
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd = np.where(sd > 1e-12, sd, 1.0)
    lr = LogisticRegression(max_iter=5000).fit((a - mu) / sd, y_train)
    return np.asarray(lr.predict_proba((b - mu) / sd)[:, 1])


def gradient_boosting_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                              seed: int) -> np.ndarray:
    """Untuned: scikit-learn's defaults (it reads NaN as unknown itself), on one thread (shared machines)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        gb = HistGradientBoostingClassifier(random_state=seed).fit(X_train, y_train)
        return np.asarray(gb.predict_proba(X_test)[:, 1])


def holdout_split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the development part and of the fixed hold-out (stratified by the target)."""
    idx = np.arange(len(y))
    dev, hold = train_test_split(idx, test_size=HOLDOUT_SHARE, stratify=y, random_state=seed)
    return np.sort(dev), np.sort(hold)


def nested_compare(X: np.ndarray, y: np.ndarray, names: Sequence[str], rule_sets: Mapping[str, Sequence[int]],
                   seed: int, benchmark: np.ndarray | None = None,
                   policy_inputs: Sequence[int] | None = None) -> dict[str, Any]:
    """Outer-fold metrics of the three models (and an optional benchmark score) on the same folds.

    ``oof`` holds the pipeline's outer-fold predictions for every row (for calibration tables).
    """
    skf = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    per_fold: dict[str, list[dict[str, float]]] = {k: [] for k in COMPARATORS}
    if policy_inputs is not None:
        per_fold[POLICY_COMPARATOR] = []
        cols = list(policy_inputs)
    bench_folds: list[dict[str, float]] = []
    chosen: list[dict[str, Any]] = []
    oof = np.zeros(len(y))
    for k, (tr, te) in enumerate(skf.split(X, y)):
        config, _ = choose_config(X[tr], y[tr], names, rule_sets, seed + k + 1)
        chosen.append(config.as_dict())
        oof[te] = fit_config(X[tr], y[tr], names, rule_sets, config).predict(X[te])
        per_fold["pipeline"].append(fold_metrics(y[te], oof[te]))
        per_fold["plain_logistic"].append(fold_metrics(y[te], plain_logistic_predict(X[tr], y[tr], X[te])))
        per_fold["gradient_boosting"].append(
            fold_metrics(y[te], gradient_boosting_predict(X[tr], y[tr], X[te], seed)))
        if policy_inputs is not None:
            p = plain_logistic_predict(X[tr][:, cols], y[tr], X[te][:, cols])
            per_fold[POLICY_COMPARATOR].append(fold_metrics(y[te], p))
        if benchmark is not None:
            bench_folds.append(fold_metrics(y[te], benchmark[te]))
    out: dict[str, Any] = {
        "folds": FOLDS, "inner_folds": INNER_FOLDS, "seed": seed, "oof": oof, "chosen": chosen,
        "models": {k: summarise(v) for k, v in per_fold.items()},
        "auc_per_fold": {k: [rounded(m["auc"]) for m in v] for k, v in per_fold.items()},
    }
    if benchmark is not None:
        out["benchmark"] = summarise(bench_folds)
        out["benchmark_auc_per_fold"] = [rounded(m["auc"]) for m in bench_folds]
    return out


def holdout_auc(X: np.ndarray, y: np.ndarray, names: Sequence[str], rule_sets: Mapping[str, Sequence[int]],
                dev: np.ndarray, hold: np.ndarray, config: Config, seed: int,
                benchmark: np.ndarray | None = None, policy_inputs: Sequence[int] | None = None
                ) -> dict[str, float]:
    """AUC on the hold-out of each model fitted on the development part (the hold-out's only use)."""
    Xd, yd, Xh, yh = X[dev], y[dev], X[hold], y[hold]
    out = {
        "pipeline": roc_auc_score(yh, fit_config(Xd, yd, names, rule_sets, config).predict(Xh)),
        "plain_logistic": roc_auc_score(yh, plain_logistic_predict(Xd, yd, Xh)),
        "gradient_boosting": roc_auc_score(yh, gradient_boosting_predict(Xd, yd, Xh, seed)),
    }
    if policy_inputs is not None:
        cols = list(policy_inputs)
        out[POLICY_COMPARATOR] = roc_auc_score(yh, plain_logistic_predict(Xd[:, cols], yd, Xh[:, cols]))
    if benchmark is not None:
        out["benchmark"] = roc_auc_score(yh, benchmark[hold])
    return {k: rounded(float(v)) for k, v in out.items()}


def best_on_outer_folds(compare: Mapping[str, Any]) -> str:
    models = compare["models"]
    return max(COMPARATORS, key=lambda k: (models[k]["auc"]["mean"], -COMPARATORS.index(k)))


@dataclass
class Selection:
    """Everything honest selection produced; ``fitted`` is the chosen configuration refit on all rows."""

    config: Config
    config_table: list[dict[str, Any]]  # inner CV on the development part: each candidate's AUC
    compare: dict[str, Any]  # nested_compare on the development part
    holdout: dict[str, float]
    rows: dict[str, int]  # development and hold-out sizes
    fitted: Fitted
    dev: np.ndarray  # row indices of the development part (compare["oof"] is in this order)

    def summary(self) -> dict[str, Any]:
        """The JSON-safe part, for the artifact."""
        c = self.compare
        return {
            "method": f"nested cross-validation ({c['folds']} outer, {c['inner_folds']} inner folds) on a "
                      f"development part; fixed {int(HOLDOUT_SHARE * 100)} % stratified hold-out",
            "rows": self.rows, "outer_folds": c["models"], "outer_auc_per_fold": c["auc_per_fold"],
            "chosen_per_outer_fold": c["chosen"], "holdout_auc": self.holdout,
            "chosen": self.config.as_dict(), "candidates": self.config_table,
            "best_on_outer_folds": best_on_outer_folds(c),
        }


def select_and_fit(X: np.ndarray, y: np.ndarray, names: Sequence[str], rule_sets: Mapping[str, Sequence[int]],
                   seed: int, benchmark: np.ndarray | None = None,
                   policy_inputs: Sequence[int] | None = None) -> Selection:
    dev, hold = holdout_split(y, seed)
    bench_dev = None if benchmark is None else benchmark[dev]
    compare = nested_compare(X[dev], y[dev], names, rule_sets, seed, bench_dev, policy_inputs)
    config, table = choose_config(X[dev], y[dev], names, rule_sets, seed)
    holdout = holdout_auc(X, y, names, rule_sets, dev, hold, config, seed, benchmark, policy_inputs)
    fitted = fit_config(X, y, names, rule_sets, config)
    return Selection(config, table, compare, holdout, {"development": len(dev), "holdout": len(hold)}, fitted, dev)
