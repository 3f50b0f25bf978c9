"""Fit a challenger on the platform's matured book and compare it with the champion on the same rows.

The challenger uses the shipped model's fixed configuration (the rule set, C and spline knots honest
selection chose, recorded in the shipped artifact's ``selection.chosen``): nothing is tuned on the
platform's rows, so a fit takes seconds and the same rows give the same artifact. Needs the ``train``
extra (scikit-learn), like any training.

Split: out of time. Rows are ordered by (disbursement date, loan id); the latest ``HOLDOUT_SHARE``
are held out. The challenger is fitted on the earlier rows only and both models are measured on the
held-out rows, so the report says how each would have done on loans it never saw.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from peerlend.scoring.features import FEATURES
from peerlend.scoring.model import ARTIFACT_FORMAT, CreditModel, shipped_model
from peerlend.scoring.retraining import metrics
from peerlend.scoring.retraining.book import Dataset, Row
from peerlend.scoring.services import pd_decimal

HOLDOUT_SHARE = 0.3
KIND = "logistic regression on scale-free inputs, refitted on the platform's matured book"


class NotEnoughData(ValueError):
    """The book cannot train or measure a challenger; the message names the counts."""


@dataclass(frozen=True)
class Challenger:
    artifact: dict[str, Any]
    artifact_text: str
    report: dict[str, Any]
    report_text: str
    train_rows: int
    holdout_rows: int

    @property
    def version(self) -> str:
        return str(self.artifact["model_version"])


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def shipped_config() -> tuple[list[int], float, int, str]:
    """(signs, C, knots, rule set name) the shipped model was fitted with."""
    from peerlend.scoring.training.pipeline import lc_rule_sets

    chosen = shipped_model().data.get("selection", {}).get("chosen") or {"rules": "domain", "C": 0.05, "knots": 0}
    return lc_rule_sets()[chosen["rules"]], float(chosen["C"]), int(chosen["knots"]), str(chosen["rules"])


def matrix(rows: tuple[Row, ...] | list[Row]) -> tuple[np.ndarray, np.ndarray]:
    X = np.array([[math.nan if (v := f.compute(r.loan.facts)) is None else v for f in FEATURES] for r in rows],
                 dtype=float).reshape(len(rows), len(FEATURES))
    return X, np.array([int(r.bad) for r in rows])


def split(data: Dataset) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
    """Out of time: the rows are ordered by disbursement (book.build_dataset); the latest part is held out."""
    n_hold = max(1, round(len(data.rows) * HOLDOUT_SHARE))
    return data.rows[:-n_hold], data.rows[-n_hold:]


def _check(data: Dataset, min_bad: int, train: tuple[Row, ...], hold: tuple[Row, ...]) -> None:
    if data.bad < min_bad:
        raise NotEnoughData(
            f"{len(data.rows)} matured loans ({data.bad} bad, {data.immature} not yet matured over "
            f"{data.horizon_months} months as of {data.as_of}); at least {min_bad} bad loans are needed "
            "before a retrained model may replace the live one")
    for label, part in (("training", train), ("held-out", hold)):
        n_bad = sum(r.bad for r in part)
        if n_bad == 0 or n_bad == len(part):
            raise NotEnoughData(f"the {label} part has {len(part)} loans, {n_bad} bad: it needs bad and good loans")


def _pds(model: CreditModel, rows: tuple[Row, ...]) -> list[Any]:
    return [pd_decimal(model.evaluate(r.loan.facts).pd) for r in rows]


def fit_challenger(data: Dataset, champion: CreditModel, min_bad: int) -> Challenger:
    from peerlend.scoring.training.artifact import SCALING, artifact_inputs
    from peerlend.scoring.training.evaluation import rounded
    from peerlend.scoring.training.fit import CLIP_PCT, fit_logistic

    train, hold = split(data)
    _check(data, min_bad, train, hold)
    X, y = matrix(train)
    signs, C, knots, rules = shipped_config()
    with warnings.catch_warnings():
        # An input the platform never records (all unknown) is constant: fit_logistic drops it, after
        # numpy warns about the mean of an empty column.
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = fit_logistic(X, y, [f.name for f in FEATURES], signs, C=C, knots=knots)
    ids = ",".join(f"{r.loan.loan_id}:{int(r.bad)}" for r in data.rows)
    artifact: dict[str, Any] = {
        "format": ARTIFACT_FORMAT,
        "kind": KIND,
        "intercept": rounded(fitted.intercept),
        "inputs": artifact_inputs(fitted, X),
        "dropped_inputs": dict(sorted(fitted.dropped.items())),
        "scaling": SCALING,
        "training": {"source": "platform", "as_of": data.as_of.isoformat(), "horizon_months": data.horizon_months,
                     "rows": len(train), "bad": int(y.sum()), "book_sha256": hashlib.sha256(ids.encode()).hexdigest(),
                     "rules": rules, "C": C, "clip_percentiles": list(CLIP_PCT), "spline": {"knots": knots}},
    }
    blob = json.dumps(artifact, sort_keys=True, separators=(",", ":")).encode()
    artifact["model_version"] = "platform-logit-" + hashlib.sha256(blob).hexdigest()[:12]
    challenger = CreditModel(artifact)
    y_hold = [r.bad for r in hold]
    amounts = [r.loan.amount_minor for r in hold]
    report = {
        "as_of": data.as_of.isoformat(),
        "horizon_months": data.horizon_months,
        "min_bad": min_bad,
        "counts": {"matured": len(data.rows), "bad": data.bad, "immature": data.immature,
                   "train": len(train), "train_bad": int(y.sum()), "holdout": len(hold), "holdout_bad": sum(y_hold)},
        "split": {"method": "out of time: latest share by (disbursed_on, loan id)", "holdout_share": HOLDOUT_SHARE,
                  "holdout_from": hold[0].loan.disbursed_on.isoformat(),
                  "holdout_to": hold[-1].loan.disbursed_on.isoformat()},
        "champion": {"version": champion.version, **metrics.measure(y_hold, _pds(champion, hold), amounts)},
        "challenger": {"version": challenger.version, **metrics.measure(y_hold, _pds(challenger, hold), amounts)},
    }
    return Challenger(artifact, canonical(artifact), report, canonical(report), len(train), len(hold))
