"""``train``: cross-validate, fit and build the artifact, plus the German credit check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from peerlend.scoring.features import FEATURES
from peerlend.scoring.training.artifact import build_artifact, dump_artifact
from peerlend.scoring.training.data import load_german, load_lc
from peerlend.scoring.training.evaluation import calibration_table, cross_validate, grade_table
from peerlend.scoring.training.fit import fit_logistic


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


def train(data_path: Path, seed: int = 42, german_path: Path | None = None, limit: int | None = None) -> TrainingResult:
    data = load_lc(data_path, limit=limit)
    names = [f.name for f in FEATURES]
    signs = [f.sign for f in FEATURES]
    cv = cross_validate(data.X, data.y, names, signs, seed, benchmark=data.sub_grade_rank)
    fitted = fit_logistic(data.X, data.y, names, signs)
    artifact = build_artifact(fitted, data.X, data, seed, cv)
    german = None
    if german_path is not None:
        gx, gy, gnames = load_german(german_path)
        gcv = cross_validate(gx, gy, gnames, [0] * len(gnames), seed)
        gfit = fit_logistic(gx, gy, gnames, [0] * len(gnames))
        german = {"cv": gcv["model"], "rows": len(gy), "bad": int(gy.sum()), "inputs": len(gnames),
                  "curves": [gnames[j] for j in sorted(gfit.curves)]}
    return TrainingResult(artifact, dump_artifact(artifact), cv, german,
                          calibration_table(data.y, cv["oof"]), grade_table(data.y, cv["oof"]), data.y, data_path)
