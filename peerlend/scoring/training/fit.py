"""Fitting the credit model: imputation, clipping, splines and a sign-constrained logistic regression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import SplineTransformer

C_REGULARISATION = 0.05
CLIP_PCT = (0.5, 99.5)
# Inputs free of a sign rule with this many distinct values get a smooth curve instead of a
# straight line (German credit's duration and amount; Lending Club's inputs all have a sign).
SPLINE_MIN_DISTINCT = 20
SPLINE_KNOTS = 4


@dataclass
class Fitted:
    names: list[str]
    weights: np.ndarray  # raw scale; 0 for curve inputs
    intercept: float
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    dropped: dict[str, str] = field(default_factory=dict)
    # input index -> (fitted spline basis, raw coefficients of its columns)
    curves: dict[int, tuple[SplineTransformer, np.ndarray]] = field(default_factory=dict)

    def prepare(self, X: np.ndarray) -> np.ndarray:
        return np.clip(np.where(np.isnan(X), self.mean, X), self.lo, self.hi)

    def curve_values(self, j: int, x: np.ndarray) -> np.ndarray:
        basis, coef = self.curves[j]
        return np.asarray(basis.transform(x.reshape(-1, 1)) @ coef)

    def log_odds(self, X: np.ndarray) -> np.ndarray:
        Xp = self.prepare(X)
        z = self.intercept + Xp @ self.weights
        for j in self.curves:
            z = z + self.curve_values(j, Xp[:, j])
        return np.asarray(z)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.log_odds(X)))


def _spline_basis(x: np.ndarray, knots: int) -> SplineTransformer:
    # No bias column: the B-spline columns sum to one, which the intercept already spans.
    return SplineTransformer(n_knots=knots, degree=3, knots="quantile", extrapolation="constant",
                             include_bias=False).fit(x.reshape(-1, 1))


def fit_logistic(X: np.ndarray, y: np.ndarray, names: Sequence[str], signs: Sequence[int],
                 C: float | None = None, knots: int = SPLINE_KNOTS) -> Fitted:
    """``knots`` = 0: every input is a straight line (no curves)."""
    C = C_REGULARISATION if C is None else C
    names = list(names)
    mean = np.nanmean(X, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    Xi = np.where(np.isnan(X), mean, X)
    lo, hi = np.percentile(Xi, CLIP_PCT, axis=0)
    # Yes/no inputs are not clipped: a rare "yes" is information, not an outlier.
    binary = np.array([len(np.unique(Xi[:, j])) <= 2 for j in range(Xi.shape[1])])
    lo = np.where(binary, Xi.min(axis=0), lo)
    hi = np.where(binary, Xi.max(axis=0), hi)
    Xc = np.clip(Xi, lo, hi)
    sd_in = Xc.std(axis=0)
    keep = [i for i in range(len(names)) if sd_in[i] > 1e-12]
    dropped = {names[i]: "constant in training data" for i in range(len(names)) if sd_in[i] <= 1e-12}
    bases = {j: _spline_basis(Xc[:, j], knots) for j in keep
             if knots and signs[j] == 0 and len(np.unique(Xc[:, j])) >= SPLINE_MIN_DISTINCT}
    curve_cols = {j: np.asarray(b.transform(Xc[:, [j]])) for j, b in bases.items()}
    while True:
        linear = [k for k in keep if k not in bases]
        D = np.column_stack([Xc[:, linear], *(curve_cols[j] for j in sorted(bases))])
        mu, sd = D.mean(axis=0), D.std(axis=0)
        sd = np.where(sd > 1e-12, sd, 1.0)
        lr = LogisticRegression(C=C, max_iter=5000, tol=1e-10)
        lr.fit((D - mu) / sd, y)
        raw = lr.coef_[0] / sd
        bad = [k for j, k in enumerate(linear) if signs[k] * raw[j] < 0]
        if not bad:
            break
        for k in bad:
            dropped[names[k]] = "fitted weight had the sign domain knowledge forbids"
        keep = [k for k in keep if k not in bad]
    w = np.zeros(len(names))
    w[linear] = raw[: len(linear)]
    intercept = float(lr.intercept_[0] - np.sum(raw * mu))
    curves: dict[int, tuple[SplineTransformer, np.ndarray]] = {}
    at = len(linear)
    for j in sorted(bases):
        n_cols = curve_cols[j].shape[1]
        curves[j] = (bases[j], raw[at: at + n_cols])
        at += n_cols
    return Fitted(names, w, intercept, mean, lo, hi, dropped, curves)
