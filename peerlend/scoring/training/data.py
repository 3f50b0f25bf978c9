"""Reading training data: the Lending Club table (through the platform's own feature code) and German credit."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from peerlend.scoring.features import FEATURES, feature_values
from peerlend.scoring.lc import FORBIDDEN_COLUMNS, facts_from_lc_row, lc_bad

GERMAN_PROTECTED = ("personal_status_and_sex", "age_in_years", "foreign_worker")
GERMAN_NUMERIC = (
    "duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since", "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
)



@dataclass
class LcData:
    X: np.ndarray
    y: np.ndarray
    sub_grade_rank: np.ndarray
    sha256: str
    rows: int


def load_lc(path: Path, limit: int | None = None) -> LcData:
    raw = path.read_bytes()
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if limit is not None:
        rows = rows[:limit]
    X = np.full((len(rows), len(FEATURES)), np.nan)
    for i, row in enumerate(rows):
        # Lending Club's own grade, rate and the label are removed before mapping.
        clean = {k: v for k, v in row.items() if k not in FORBIDDEN_COLUMNS}
        facts, errors = facts_from_lc_row(clean)
        if errors:
            raise ValueError(f"{path}: row {i + 2}: {'; '.join(errors)}")
        for j, v in enumerate(feature_values(facts).values()):
            if v is not None:
                X[i, j] = v
    y = np.array([lc_bad(r) for r in rows], dtype=int)
    sg = np.array([(ord(r["sub_grade"][0]) - ord("A")) * 5 + int(r["sub_grade"][1]) for r in rows], dtype=float)
    return LcData(X, y, sg, hashlib.sha256(raw).hexdigest(), len(rows))


def load_german(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    columns = [c for c in rows[0] if c not in GERMAN_PROTECTED and c != "creditability"]
    names: list[str] = []
    cols: list[np.ndarray] = []
    for c in columns:
        if c in GERMAN_NUMERIC:
            v = np.array([float(r[c]) for r in rows])
            cols.append(np.log(v) if c == "credit_amount" else v)
            names.append(c)
        else:
            for level in sorted({r[c] for r in rows})[1:]:  # first level is the reference
                cols.append(np.array([1.0 if r[c] == level else 0.0 for r in rows]))
                names.append(f"{c}={level}")
    y = np.array([1 if r["creditability"] == "bad" else 0 for r in rows], dtype=int)
    return np.column_stack(cols), y, names
