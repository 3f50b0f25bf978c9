"""Scoring with a model trained on an operator's own table (``peerlend train-model --data ... --target ...``).

Such an artifact (``input_kind`` = ``"columns"``) reads the file's own numeric columns by name instead of
the platform's ApplicationFacts. Arithmetic and the reason rule are those of ``model.py``: unknown -> the
training mean, clip to lo..hi, weight * x or the curve read by linear interpolation; a column is a reason
only when it lowered this row's score by at least MIN_REASON_POINTS against the reference row (every
input at its training mean, clipped). There is no wording to keep on one side of the reference here:
the reason code is the column's name. One row scores in pure Python; files are scored with numpy.
"""

from __future__ import annotations

import csv
import io
import json
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from peerlend.domain.pricing import grade_for_pd
from peerlend.scoring.batch import _plain_lines, _plain_output_lines, ten_thousandths
from peerlend.scoring.model import ARTIFACT_FORMAT, reference_value
from peerlend.scoring.services import MAX_REASONS, MIN_REASON_POINTS, NO_ADVERSE_CODE, pd_decimal

INPUT_KIND = "columns"
OUTPUT_COLUMNS = ("pd", "score", "grade", "reasons")
MISSING = frozenset({"", "na", "nan", "null", "none"})


class TableError(ValueError):
    """A file that cannot be read as the model needs it; the message names the line and the column."""


def parse_cell(text: str, line: int, column: str) -> float:
    """A cell as a number; a missing marker is unknown (NaN). ``line`` counts the header as line 1."""
    t = text.strip()
    if t.lower() in MISSING:
        return math.nan
    try:
        value = float(t)
    except ValueError:
        raise TableError(f"line {line}, column {column!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise TableError(f"line {line}, column {column!r}: {text!r} is not a finite number")
    return value


@dataclass(frozen=True, slots=True)
class TabularInput:
    name: str
    weight: float
    mean: float
    lo: float
    hi: float
    curve_x: tuple[float, ...]
    curve_f: tuple[float, ...]
    reference_log_odds: float

    def contribution(self, x: float) -> float:
        if not self.curve_x:
            return self.weight * x
        xs, fs = self.curve_x, self.curve_f
        i = min(max(bisect_right(xs, x) - 1, 0), len(xs) - 2)
        x0, x1 = xs[i], xs[i + 1]
        t = (x - x0) / (x1 - x0) if x1 > x0 else 0.0
        return fs[i] + t * (fs[i + 1] - fs[i])


@dataclass(frozen=True, slots=True)
class RowScore:
    pd: float
    score: int
    grade: str
    reasons: tuple[str, ...]


class TabularModel:
    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != ARTIFACT_FORMAT or data.get("input_kind") != INPUT_KIND:
            raise ValueError("not a model trained on table columns (input_kind 'columns')")
        self.version: str = data["model_version"]
        self.intercept = float(data["intercept"])
        s = data["scaling"]
        self.base_score, self.base_odds = float(s["base_score"]), float(s["base_odds"])
        self.points_per_log_odds = float(s["pdo"]) / math.log(2)
        inputs = []
        for item in data["inputs"]:
            curve = item.get("curve") or {}
            cx = tuple(float(v) for v in curve.get("x", ()))
            cf = tuple(float(v) for v in curve.get("log_odds", ()))
            if curve and (len(cx) < 2 or len(cx) != len(cf) or any(b <= a for a, b in pairwise(cx))):
                raise ValueError(f"input {item['name']!r}: curve needs 2+ increasing points")
            inp = TabularInput(item["name"], float(item["weight"]), float(item["mean"]), float(item["lo"]),
                               float(item["hi"]), cx, cf, 0.0)
            ref = reference_value(inp.mean, inp.lo, inp.hi)
            inputs.append(replace(inp, reference_log_odds=inp.contribution(ref)))
        self.inputs: tuple[TabularInput, ...] = tuple(inputs)
        self.columns: tuple[str, ...] = tuple(i.name for i in self.inputs)

    def points(self, pd: float) -> int:
        pd = min(max(pd, 1e-6), 1 - 1e-6)
        return round(self.base_score + self.points_per_log_odds * (math.log((1 - pd) / pd) - math.log(self.base_odds)))

    def score_values(self, values: Mapping[str, float | None]) -> RowScore:
        """One row (column -> number, None or NaN: unknown), in pure Python."""
        z = self.intercept
        lost: list[tuple[float, int, str]] = []
        for k, inp in enumerate(self.inputs):
            x = values.get(inp.name)
            if x is None or math.isnan(x):
                x = inp.mean
            x = min(max(x, inp.lo), inp.hi)
            part = inp.contribution(x)
            z += part
            points = (inp.reference_log_odds - part) * self.points_per_log_odds
            if points <= -MIN_REASON_POINTS:
                lost.append((points, k, inp.name))
        pd = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        reasons = tuple(name for _, _, name in sorted(lost)[:MAX_REASONS]) or (NO_ADVERSE_CODE,)
        return RowScore(pd, self.points(pd), grade_for_pd(pd_decimal(pd)), reasons)

    def score_matrix(self, X: np.ndarray) -> list[list[str]]:
        """Output columns (OUTPUT_COLUMNS) for each row of X (columns in ``self.columns`` order, NaN unknown)."""
        n, k = X.shape[0], len(self.inputs)
        z = np.full(n, self.intercept)
        points = np.zeros((n, k))
        for j, inp in enumerate(self.inputs):
            x = np.clip(np.where(np.isnan(X[:, j]), inp.mean, X[:, j]), inp.lo, inp.hi)
            part = np.interp(x, inp.curve_x, inp.curve_f) if inp.curve_x else inp.weight * x
            z += part
            points[:, j] = (inp.reference_log_odds - part) * self.points_per_log_odds
        pd = np.where(z > -700, 1.0 / (1.0 + np.exp(-np.maximum(z, -700))), 0.0)
        p = np.clip(pd, 1e-6, 1 - 1e-6)
        score = np.round(self.base_score + self.points_per_log_odds * (np.log((1 - p) / p) - math.log(self.base_odds)))
        lost = points <= -MIN_REASON_POINTS
        # Most points lost first; a stable sort keeps column order on ties, as score_values does.
        order = np.argsort(np.where(lost, points, np.inf), axis=1, kind="stable")[:, :MAX_REASONS]
        keep = np.take_along_axis(lost, order, axis=1)
        key = (np.where(keep, order + 1, 0) * ((k + 1) ** np.arange(order.shape[1]))).sum(axis=1)
        texts: dict[int, str] = {}
        for rk, i in zip(*np.unique(key, return_index=True), strict=True):
            texts[int(rk)] = ";".join(self.columns[j] for j, ok in zip(order[i], keep[i], strict=True) if ok) \
                or NO_ADVERSE_CODE
        # Each distinct PD (to 4 places) is graded once; rows are then dictionary look-ups.
        tenths = ten_thousandths(pd)
        priced: dict[int, tuple[str, str]] = {}
        for t in np.unique(tenths).tolist():
            d = pd_decimal(t / 10_000)
            priced[t] = (str(d), grade_for_pd(d))
        return [[priced[t][0], s, priced[t][1], texts[rk]] for t, s, rk in zip(
            tenths.tolist(), map(str, score.astype(np.int64).tolist()), key.tolist(), strict=True)]


def load_tabular_model(path: Path) -> TabularModel:
    return TabularModel(json.loads(path.read_text(encoding="utf-8")))


def read_matrix(header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[str],
                first_line: int = 2) -> np.ndarray:
    """The named columns as numbers; TableError naming the line and column of the first problem."""
    index = {h.strip(): i for i, h in enumerate(header)}
    missing = [c for c in columns if c not in index]
    if missing:
        raise TableError(f"line 1 (header): column(s) missing: {', '.join(map(repr, missing))}")
    width = len(header)
    for at, r in enumerate(rows):
        if len(r) != width:
            raise TableError(f"line {first_line + at}: {len(r)} fields, the header has {width}")
    X = np.empty((len(rows), len(columns)))
    if not rows:
        return X
    numbers = _Numbers()  # one float() per distinct text over the whole file
    for j, c in enumerate(columns):
        col = index[c]
        texts = [r[col] for r in rows]
        X[:, j] = np.fromiter(map(numbers.__getitem__, texts), dtype=np.float64, count=len(texts))
        if numbers.failed and not numbers.failed.isdisjoint(texts):
            at = next(i for i, t in enumerate(texts) if t in numbers.failed)
            parse_cell(texts[at], first_line + at, c)  # raises, naming line and column
    return X


class _Numbers(dict[str, float]):
    def __init__(self) -> None:
        super().__init__()
        self.failed: set[str] = set()

    def __missing__(self, text: str) -> float:
        try:
            value = parse_cell(text, 0, "")
        except TableError:
            self.failed.add(text)
            value = math.nan
        self[text] = value
        return value


def score_table_file(model: TabularModel, src: Path, dst: Path) -> int:
    """Score every row of ``src`` into ``dst`` (the row, then OUTPUT_COLUMNS); the number of rows."""
    text = src.read_text(encoding="utf-8-sig")
    lines = _plain_lines(text)  # plain files (no quotes): split on commas, as batch.py does
    if lines is None:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None) or []
        rows = [r for r in reader if r]
    else:
        header = lines[0].split(",")
        rows = [line.split(",") for line in lines[1:]]
    if not header:
        raise TableError("line 1: the file is empty")
    X = read_matrix(header, rows, model.columns)
    scored = model.score_matrix(X)
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*header, *OUTPUT_COLUMNS])
        if lines is None:
            w.writerows(r + s for r, s in zip(rows, scored, strict=True))
        else:
            fh.write("".join(_plain_output_lines(lines[1:], scored)))
    return len(rows)
