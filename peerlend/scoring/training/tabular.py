"""Training the same pipeline on any tabular credit file (``peerlend train-model --data F --target T``).

Every column but the target and the excluded ones is a numeric input (empty or NA cells: unknown).
No sign rules: nothing is known about an operator's columns, so honest selection chooses between
straight lines and curves and the regularisation, inside training folds (``selection.py``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from peerlend.scoring.model import ARTIFACT_FORMAT
from peerlend.scoring.tabular import INPUT_KIND, TableError, read_matrix
from peerlend.scoring.training.artifact import SCALING, artifact_inputs
from peerlend.scoring.training.evaluation import rounded
from peerlend.scoring.training.fit import CLIP_PCT, SPLINE_MIN_DISTINCT
from peerlend.scoring.training.selection import Selection, select_and_fit

# Without --bad-value, a target must use one of these pairs (bad first).
DEFAULT_TARGETS = (("1", "0"), ("bad", "good"))
MIN_CLASS_ROWS = 10  # fewer bad (or good) rows than this cannot be cross-validated honestly


@dataclass
class Table:
    X: np.ndarray
    y: np.ndarray
    names: list[str]
    bad_value: str
    sha256: str


def _labels(values: Sequence[str], target: str, bad_value: str | None) -> tuple[np.ndarray, str]:
    if bad_value is None:
        seen = {v.lower() for v in values}
        pair = next((p for p in DEFAULT_TARGETS if seen <= set(p)), None)
        if pair is None:
            first = next((p for p in DEFAULT_TARGETS if values and values[0].lower() in p), DEFAULT_TARGETS[0])
            at = next(i for i, v in enumerate(values) if v.lower() not in first)
            raise TableError(f"line {at + 2}, column {target!r}: target value {values[at]!r} is not 1/0 or "
                             "bad/good; say which value means bad with --bad-value")
        bad_value = pair[0]
        return np.array([v.lower() == bad_value for v in values], dtype=int), bad_value
    if bad_value not in values:
        raise TableError(f"column {target!r}: no row has the bad value {bad_value!r}")
    others = sorted({v for v in values if v != bad_value}) or [""]
    for i, v in enumerate(values):
        if v == "" or (v != bad_value and len(others) > 1 and v != others[0]):
            raise TableError(f"line {i + 2}, column {target!r}: target value {v!r}: the target must take exactly "
                             f"two values, the bad value {bad_value!r} and one other (first other: {others[0]!r})")
    return np.array([v == bad_value for v in values], dtype=int), bad_value


def load_table(path: Path, target: str, bad_value: str | None = None, exclude: Sequence[str] = ()) -> Table:
    raw = path.read_bytes()
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise TableError(f"line 1: {path} is empty")
    for c in (target, *exclude):
        if c not in header:
            raise TableError(f"line 1 (header): no column {c!r}; columns: {', '.join(header)}")
    rows = [r for r in reader if r]
    names = [c for c in header if c != target and c not in exclude]
    if not names:
        raise TableError("line 1 (header): no input column is left after the target and the exclusions")
    X = read_matrix(header, rows, names)
    t = header.index(target)
    y, bad = _labels([r[t].strip() for r in rows], target, bad_value)
    n_bad = int(y.sum())
    if min(n_bad, len(y) - n_bad) < MIN_CLASS_ROWS:
        raise TableError(f"column {target!r}: {n_bad} bad and {len(y) - n_bad} good rows; "
                         f"each needs at least {MIN_CLASS_ROWS}")
    return Table(X, y, names, bad, hashlib.sha256(raw).hexdigest())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:20] or "table"


def build_tabular_artifact(sel: Selection, table: Table, path: Path, target: str, exclude: Sequence[str],
                           seed: int) -> dict[str, Any]:
    fitted = sel.fitted
    artifact: dict[str, Any] = {
        "format": ARTIFACT_FORMAT,
        "input_kind": INPUT_KIND,
        "kind": "logistic regression on the file's numeric columns (peerlend.scoring.tabular)",
        "intercept": rounded(fitted.intercept),
        "inputs": artifact_inputs(fitted, table.X),
        "dropped_inputs": dict(sorted(fitted.dropped.items())),
        "scaling": SCALING,
        "target": {"column": target, "bad_value": table.bad_value},
        "excluded": list(exclude),
        "training": {"data_file": path.name, "data_sha256": table.sha256, "rows": len(table.y),
                     "bad": int(table.y.sum()), "seed": seed, "C": sel.config.C,
                     "clip_percentiles": list(CLIP_PCT),
                     "spline": {"min_distinct": SPLINE_MIN_DISTINCT, "knots": sel.config.knots, "degree": 3}},
        "selection": sel.summary(),
    }
    blob = json.dumps(artifact, sort_keys=True, separators=(",", ":")).encode()
    artifact["model_version"] = f"{_slug(path.stem)}-logit-{hashlib.sha256(blob).hexdigest()[:12]}"
    return artifact


def train_table(path: Path, target: str, bad_value: str | None = None, exclude: Sequence[str] = (),
                seed: int = 42) -> tuple[dict[str, Any], Selection]:
    table = load_table(path, target, bad_value, exclude)
    sel = select_and_fit(table.X, table.y, table.names, {"none": [0] * len(table.names)}, seed)
    return build_tabular_artifact(sel, table, path, target, exclude, seed), sel
