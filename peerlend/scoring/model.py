"""The shipped credit model: a JSON artifact read without pickle or training libraries.

The model is a logistic regression on the inputs of ``features.py``. Weights are stored on
the inputs' own scale, so the log-odds of default is ``intercept + sum(weight * x)``, with
each ``x`` clipped to the range seen in training (no extrapolation) and an unknown ``x``
replaced by its training mean (neutral). An input fitted as a smooth curve (a spline in
training) ships as points ``(x, log-odds)`` and adds the linear interpolation at ``x``
instead of ``weight * x``.

Reasons are measured against the *reference applicant*: every input at its training mean
(clipped to the input's range), which is also the value an unknown input is scored at. Each
input's effect is the score points it moved this applicant away from the reference; a
negative effect lowered the score. ``reference_value`` is the one place that defines it.
The artifact also records each input's ``best`` (most favourable) value; scoring does not use it.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.features import FEATURES_BY_NAME, Feature

ARTIFACT_FORMAT = 1
ARTIFACT_PACKAGE = "peerlend.scoring.artifacts"
ARTIFACT_NAME = "credit_model.json"


def reference_value(mean: float, lo: float, hi: float) -> float:
    """The reference applicant's value of an input: its training mean, clipped like any value."""
    return min(max(mean, lo), hi)


@dataclass(frozen=True, slots=True)
class ModelInput:
    feature: Feature
    weight: float  # log-odds of default per unit of the input
    mean: float  # used when the input is unknown
    lo: float  # clip range (training 0.5th..99.5th percentile)
    hi: float
    range_lo: float  # "far outside the training range" limits
    range_hi: float
    curve_x: tuple[float, ...] = ()  # empty for a linear input
    curve_f: tuple[float, ...] = ()
    reference: float = 0.0  # the reference applicant's value (set by CreditModel)
    reference_log_odds: float = 0.0  # contribution(reference)

    def contribution(self, x: float) -> float:
        """Log-odds this input adds at ``x`` (already clipped to lo..hi)."""
        if not self.curve_x:
            return self.weight * x
        xs, fs = self.curve_x, self.curve_f
        i = min(max(bisect_right(xs, x) - 1, 0), len(xs) - 2)
        x0, x1 = xs[i], xs[i + 1]
        t = (x - x0) / (x1 - x0) if x1 > x0 else 0.0
        return fs[i] + t * (fs[i + 1] - fs[i])


class InputEffect(NamedTuple):  # a tuple: one is made per input per application
    input: ModelInput
    value: float  # as scored: unknown -> mean, clipped to lo..hi
    # Score points this input moved the applicant from the reference applicant; negative: it
    # lowered the score. A stand-in's points move to its unknown-flag's effect (0 left here)
    # when that flag is a model input.
    points: float
    stand_in: bool = False  # the value stands in for unknown facts (see Feature.unknown_flag)


@dataclass(frozen=True, slots=True)
class Evaluation:
    log_odds: float
    pd: float
    effects: tuple[InputEffect, ...]  # one per model input, in model order
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
            inp = ModelInput(
                feature=feature, weight=float(item["weight"]), mean=float(item["mean"]),
                lo=float(item["lo"]), hi=float(item["hi"]),
                range_lo=float(item["range_lo"]), range_hi=float(item["range_hi"]),
                curve_x=cx, curve_f=cf,
            )
            ref = reference_value(inp.mean, inp.lo, inp.hi)
            inputs.append(replace(inp, reference=ref, reference_log_odds=inp.contribution(ref)))
        self.inputs: tuple[ModelInput, ...] = tuple(inputs)
        position = {inp.feature.name: j for j, inp in enumerate(self.inputs)}
        # (stand-in input's position, its flag's feature, the flag's position or None if the
        # model does not use the flag): checked on every evaluation.
        self._stand_ins = tuple(
            (j, FEATURES_BY_NAME[inp.feature.unknown_flag], position.get(inp.feature.unknown_flag))
            for j, inp in enumerate(self.inputs) if inp.feature.unknown_flag
        )

    def reference_values(self) -> dict[str, float | None]:
        """The reference applicant, as input values for ``evaluate_values``."""
        return {inp.feature.name: inp.reference for inp in self.inputs}

    def evaluate(self, facts: ApplicationFacts) -> Evaluation:
        return self._evaluate([inp.feature.compute(facts) for inp in self.inputs],
                              [flag.compute(facts) for _, flag, _ in self._stand_ins])

    def evaluate_values(self, values: Mapping[str, float | None]) -> Evaluation:
        """Score input values (feature name -> value, None or absent: unknown)."""
        return self._evaluate([values.get(inp.feature.name) for inp in self.inputs],
                              [values.get(flag.name) for _, flag, _ in self._stand_ins])

    def _evaluate(self, xs: list[float | None], flags: list[float | None]) -> Evaluation:
        z = self.intercept
        effects: list[InputEffect] = []
        out: list[str] = []
        unknown: list[str] = []
        ppl = self.points_per_log_odds
        for inp, x in zip(self.inputs, xs, strict=True):
            if x is None:
                unknown.append(inp.feature.name)
                x = inp.mean
            elif x < inp.range_lo or x > inp.range_hi:
                out.append(inp.feature.name)
            if x < inp.lo:
                x = inp.lo
            elif x > inp.hi:
                x = inp.hi
            part = inp.contribution(x) if inp.curve_x else inp.weight * x
            z += part
            effects.append(InputEffect(inp, x, (inp.reference_log_odds - part) * ppl))
        for (j, _, at), flag_value in zip(self._stand_ins, flags, strict=True):
            if flag_value == 1.0:
                if at is not None:
                    effects[at] = effects[at]._replace(points=effects[at].points + effects[j].points)
                    effects[j] = effects[j]._replace(points=0.0, stand_in=True)
                else:
                    effects[j] = effects[j]._replace(stand_in=True)
        pd = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return Evaluation(z, pd, tuple(effects), tuple(out), tuple(unknown))

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
