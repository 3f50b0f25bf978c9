"""Measuring a model: AUC, KS and Gini per fold, cross-validation, calibration and grade tables."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold

from peerlend.domain import pricing
from peerlend.scoring.training.fit import fit_logistic

FOLDS = 5
# Figures are rounded to this many decimals, so the artifact's text is the same on every machine.
DIGITS = 8


def rounded(x: float) -> float:
    v = round(float(x), DIGITS)
    return 0.0 if v == 0 else v  # no "-0.0" in the artifact


def ks_stat(y: np.ndarray, p: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def fold_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    auc = float(roc_auc_score(y, p))
    return {"auc": auc, "ks": ks_stat(y, p), "gini": 2 * auc - 1}


def summarise(per_fold: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        k: {"mean": rounded(np.mean([m[k] for m in per_fold])), "std": rounded(np.std([m[k] for m in per_fold]))}
        for k in ("auc", "ks", "gini")
    }


def cross_validate(X: np.ndarray, y: np.ndarray, names: Sequence[str], signs: Sequence[int], seed: int,
                   benchmark: np.ndarray | None = None) -> dict[str, Any]:
    skf = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    oof = np.zeros(len(y))
    model_folds, bench_folds = [], []
    for train, test in skf.split(X, y):
        fitted = fit_logistic(X[train], y[train], names, signs)
        oof[test] = fitted.predict(X[test])
        model_folds.append(fold_metrics(y[test], oof[test]))
        if benchmark is not None:
            bench_folds.append(fold_metrics(y[test], benchmark[test]))
    out: dict[str, Any] = {"model": summarise(model_folds), "folds": FOLDS, "seed": seed, "oof": oof,
                           "model_folds": model_folds}
    if benchmark is not None:
        out["benchmark"] = summarise(bench_folds)
        out["benchmark_folds"] = bench_folds
    return out



def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    order = np.argsort(p, kind="stable")
    table = []
    for part in np.array_split(order, bins):
        table.append({"n": len(part), "pd_from": float(p[part].min()), "pd_to": float(p[part].max()),
                      "predicted": float(p[part].mean()), "observed": float(y[part].mean())})
    return table


def grade_table(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    grades = [pricing.grade_for_pd(min(max(Decimal(f"{x:.4f}"), Decimal("0.0001")), Decimal("0.9999"))) for x in p]
    out = []
    for g, lo, hi in pricing.GRADE_TABLE:
        idx = [i for i, gg in enumerate(grades) if gg == g]
        ref = pricing.reference_pd(g)
        pr = pricing.price(ref, 36)
        out.append({"grade": g, "lo": lo, "hi": hi, "n": len(idx),
                    "observed": float(y[idx].mean()) if idx else None,
                    "ref_pd": ref, "rate36": pr.annual_rate, "fee36": pr.origination_fee_rate,
                    "rate12": pricing.price(ref, 12).annual_rate})
    return out
