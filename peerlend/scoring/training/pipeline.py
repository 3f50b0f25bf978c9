"""``train``: cross-validate, fit and build the artifact, plus the German credit check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from peerlend.scoring.features import FEATURES
from peerlend.scoring.training.artifact import build_artifact, dump_artifact
from peerlend.scoring.training.data import load_german, load_lc
from peerlend.scoring.training.evaluation import FOLDS, calibration_table, grade_table
from peerlend.scoring.training.selection import Selection, select_and_fit

# Platform policy, fixed before any data is seen and never tuned: a verified income may only lower
# the PD (in Lending Club, verification was asked of riskier-looking applications). Every rule set
# keeps it; the other sign rules are a modelling choice made inside training folds.
POLICY_SIGNS = {"income_not_verified": +1}


def lc_rule_sets() -> dict[str, list[int]]:
    names = [f.name for f in FEATURES]
    return {"domain": [f.sign for f in FEATURES], "policy": [POLICY_SIGNS.get(n, 0) for n in names]}


def cv_view(sel: Selection) -> dict[str, Any]:
    """The pipeline's outer-fold results in the shape the model card and the command print."""
    c = sel.compare
    return {"model": c["models"]["pipeline"], "benchmark": c.get("benchmark"), "folds": FOLDS, "seed": c["seed"],
            "oof": c["oof"], "auc_per_fold": c["auc_per_fold"], "benchmark_auc_per_fold": c.get(
                "benchmark_auc_per_fold", [])}


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def default_data_dir() -> Path:
    from peerlend.datasets import data_dir

    return data_dir()


@dataclass
class TrainingResult:
    artifact: dict[str, Any]
    artifact_text: str
    cv: dict[str, Any]
    german: dict[str, Any] | None
    calibration: list[dict[str, float]]
    grades: list[dict[str, Any]]
    y: np.ndarray
    data_path: Path
    selection: Selection | None = None


def train(data_path: Path, seed: int = 42, german_path: Path | None = None, limit: int | None = None) -> TrainingResult:
    data = load_lc(data_path, limit=limit)
    names = [f.name for f in FEATURES]
    policy_inputs = [j for j, n in enumerate(names) if n not in POLICY_SIGNS]
    sel = select_and_fit(data.X, data.y, names, lc_rule_sets(), seed, benchmark=data.sub_grade_rank,
                         policy_inputs=policy_inputs)
    cv = cv_view(sel)
    artifact = build_artifact(sel.fitted, data.X, data, seed, cv, sel.summary())
    german = None
    if german_path is not None:
        gx, gy, gnames = load_german(german_path)
        gsel = select_and_fit(gx, gy, gnames, {"none": [0] * len(gnames)}, seed)
        german = {"cv": gsel.compare["models"]["pipeline"], "compare": gsel.compare["models"],
                  "holdout": gsel.holdout, "chosen": gsel.config.as_dict(), "rows": len(gy),
                  "bad": int(gy.sum()), "inputs": len(gnames),
                  "curves": [gnames[j] for j in sorted(gsel.fitted.curves)]}
    y_dev = data.y[sel.dev]
    return TrainingResult(artifact, dump_artifact(artifact), cv, german, calibration_table(y_dev, cv["oof"]),
                          grade_table(y_dev, cv["oof"]), y_dev, data_path, sel)
