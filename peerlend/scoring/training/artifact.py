"""The JSON artifact a fitted model ships as (read by ``peerlend.scoring.model``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from peerlend.scoring.lc import USD_CNY
from peerlend.scoring.model import ARTIFACT_FORMAT
from peerlend.scoring.training.data import LcData
from peerlend.scoring.training.evaluation import FOLDS, rounded
from peerlend.scoring.training.fit import C_REGULARISATION, CLIP_PCT, SPLINE_KNOTS, SPLINE_MIN_DISTINCT, Fitted

# A fitted curve ships as this many (x, log-odds) points on the clip range, read by linear
# interpolation, so scoring needs no spline code.
CURVE_POINTS = 65
FAR_OUTSIDE = 0.5  # "far outside": beyond min/max by half the training range
SCALING = {"base_score": 600, "base_odds": 50, "pdo": 20}


def artifact_inputs(fitted: Fitted, X: np.ndarray) -> list[dict[str, Any]]:
    """Each input the model uses: weight (or curve points), mean, clip and "far outside" ranges."""
    inputs = []
    for j, name in enumerate(fitted.names):
        w = float(fitted.weights[j])
        if w == 0.0 and j not in fitted.curves:
            continue
        col = X[:, j][~np.isnan(X[:, j])]
        mn, mx = float(col.min()), float(col.max())
        span = mx - mn
        item: dict[str, Any] = {
            "name": name, "weight": rounded(w), "mean": rounded(fitted.mean[j]),
            "lo": rounded(fitted.lo[j]), "hi": rounded(fitted.hi[j]),
            "best": rounded(fitted.lo[j] if w > 0 else fitted.hi[j]),
            "range_lo": rounded(mn - FAR_OUTSIDE * span), "range_hi": rounded(mx + FAR_OUTSIDE * span),
        }
        if j in fitted.curves:
            grid = np.linspace(fitted.lo[j], fitted.hi[j], CURVE_POINTS)
            values = fitted.curve_values(j, grid)
            item["curve"] = {"x": [rounded(v) for v in grid], "log_odds": [rounded(v) for v in values]}
            item["best"] = rounded(grid[int(np.argmin(values))])
        inputs.append(item)
    return inputs


def build_artifact(fitted: Fitted, X: np.ndarray, data: LcData, seed: int, cv: dict[str, Any],
                   selection: dict[str, Any] | None = None) -> dict[str, Any]:
    chosen = (selection or {}).get("chosen", {"C": C_REGULARISATION, "knots": SPLINE_KNOTS})
    inputs = artifact_inputs(fitted, X)
    artifact: dict[str, Any] = {
        "format": ARTIFACT_FORMAT,
        "kind": "logistic regression on scale-free inputs (peerlend.scoring.features)",
        "intercept": rounded(fitted.intercept),
        "inputs": inputs,
        "dropped_inputs": dict(sorted(fitted.dropped.items())),
        "scaling": SCALING,
        "currency": {"training": "USD", "platform": "CNY", "usd_cny": str(USD_CNY),
                     "note": "inputs are ratios, counts and percentages; the rate only maps "
                             "training amounts to CNY and does not change any score"},
        "training": {"data_sha256": data.sha256, "rows": data.rows, "bad": int(data.y.sum()),
                     "seed": seed, "C": chosen["C"], "clip_percentiles": list(CLIP_PCT),
                     "spline": {"min_distinct": SPLINE_MIN_DISTINCT, "knots": chosen["knots"], "degree": 3}},
        "cv": {"folds": FOLDS, "model": cv["model"], "lending_club_sub_grade": cv["benchmark"]},
    }
    if selection is not None:
        artifact["selection"] = selection
    blob = json.dumps(artifact, sort_keys=True, separators=(",", ":")).encode()
    artifact["model_version"] = "lc2016q1-logit-" + hashlib.sha256(blob).hexdigest()[:12]
    return artifact


def dump_artifact(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
