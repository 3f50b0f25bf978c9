"""The shipped credit model: a JSON artifact read without pickle or training libraries.

The model is a logistic regression on the inputs of ``features.py``. Weights are stored on
the inputs' own scale, so the log-odds of default is ``intercept + sum(weight * x)``, with
each ``x`` clipped to the range seen in training (no extrapolation) and an unknown ``x``
replaced by its training mean (neutral). An input fitted as a smooth curve (a spline in
training) ships as points ``(x, log-odds)`` and adds the linear interpolation at ``x``
instead of ``weight * x``.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.features import FEATURES_BY_NAME, Feature

ARTIFACT_FORMAT = 1
ARTIFACT_PACKAGE = "peerlend.scoring.artifacts"
ARTIFACT_NAME = "credit_model.json"


@dataclass(frozen=True, slots=True)
class ModelInput:
    feature: Feature
    weight: float  # log-odds of default per unit of the input
    mean: float  # used when the input is unknown
    lo: float  # clip range (training 0.5th..99.5th percentile)
    hi: float
    best: float  # the clip-range end that gives the lowest PD (reference for reasons)
    range_lo: float  # "far outside the training range" limits
    range_hi: float
    curve_x: tuple[float, ...] = ()  # empty for a linear input
    curve_f: tuple[float, ...] = ()

    def contribution(self, x: float) -> float:
        """Log-odds this input adds at ``x`` (already clipped to lo..hi)."""
        if not self.curve_x:
            return self.weight * x
        xs, fs = self.curve_x, self.curve_f
        i = min(max(bisect_right(xs, x) - 1, 0), len(xs) - 2)
        x0, x1 = xs[i], xs[i + 1]
        t = (x - x0) / (x1 - x0) if x1 > x0 else 0.0
        return fs[i] + t * (fs[i + 1] - fs[i])


@dataclass(frozen=True, slots=True)
class Evaluation:
    log_odds: float
    pd: float
    shortfalls: tuple[tuple[float, ModelInput], ...]  # points below the best value, per input
    out_of_range: tuple[str, ...]
    unknown: tuple[str, ...]


class CreditModel:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"unsupported credit model format {data.get('format')!r}")
        self.data = data
        self.version: str = data["model_version"]
        self.intercept: float = float(data["intercept"])
        scaling = data["scaling"]
        self.base_score = float(scaling["base_score"])
        self.base_odds = float(scaling["base_odds"])
        self.points_per_log_odds = float(scaling["pdo"]) / math.log(2)
        inputs = []
        for item in data["inputs"]:
            feature = FEATURES_BY_NAME.get(item["name"])
            if feature is None:
                raise ValueError(f"credit model uses unknown input {item['name']!r}")
            curve = item.get("curve") or {}
            cx = tuple(float(v) for v in curve.get("x", ()))
            cf = tuple(float(v) for v in curve.get("log_odds", ()))
            if curve and (len(cx) < 2 or len(cx) != len(cf) or any(b <= a for a, b in pairwise(cx))):
                raise ValueError(f"credit model input {item['name']!r}: curve needs 2+ increasing points")
            inputs.append(
                ModelInput(
                    feature=feature, weight=float(item["weight"]), mean=float(item["mean"]),
                    lo=float(item["lo"]), hi=float(item["hi"]), best=float(item["best"]),
                    range_lo=float(item["range_lo"]), range_hi=float(item["range_hi"]),
                    curve_x=cx, curve_f=cf,
                )
            )
        self.inputs: tuple[ModelInput, ...] = tuple(inputs)

    def evaluate(self, facts: ApplicationFacts) -> Evaluation:
        z = self.intercept
        shortfalls: list[tuple[float, ModelInput]] = []
        out: list[str] = []
        unknown: list[str] = []
        ppl = self.points_per_log_odds
        for inp in self.inputs:
            x = inp.feature.compute(facts)
            if x is None:
                unknown.append(inp.feature.name)
                x = inp.mean
            elif x < inp.range_lo or x > inp.range_hi:
                out.append(inp.feature.name)
            if x < inp.lo:
                x = inp.lo
            elif x > inp.hi:
                x = inp.hi
            if inp.curve_x:
                part = inp.contribution(x)
                z += part
                shortfalls.append(((part - inp.contribution(inp.best)) * ppl, inp))
            else:
                z += inp.weight * x
                shortfalls.append((inp.weight * (x - inp.best) * ppl, inp))
        pd = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return Evaluation(z, pd, tuple(shortfalls), tuple(out), tuple(unknown))

    def points(self, pd: float) -> int:
        pd = min(max(pd, 1e-6), 1 - 1e-6)
        return round(self.base_score + self.points_per_log_odds * (math.log((1 - pd) / pd) - math.log(self.base_odds)))


def load_model(path: str | Path | None = None) -> CreditModel:
    if path is None:
        text = resources.files(ARTIFACT_PACKAGE).joinpath(ARTIFACT_NAME).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return CreditModel(json.loads(text))


@lru_cache(maxsize=1)
def shipped_model() -> CreditModel:
    return load_model()
