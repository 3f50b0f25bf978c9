"""Fitting a challenger on a crafted book: refusal below the bad-loan minimum, report, determinism."""

import datetime as dt
import json
import time

import pytest

from peerlend.scoring.model import CreditModel, shipped_model
from peerlend.scoring.retraining.book import build_dataset
from peerlend.scoring.retraining.challenger import NotEnoughData, fit_challenger, split
from tests.scoring.retraining.conftest import crafted_book

AS_OF = dt.date(2026, 1, 1)


def dataset(n=300, seed=7):
    return build_dataset(crafted_book(n, seed), AS_OF, 12)


def test_refuses_below_min_bad_naming_the_counts():
    data = dataset()
    with pytest.raises(NotEnoughData) as exc:
        fit_challenger(data, shipped_model(), min_bad=data.bad + 1)
    msg = str(exc.value)
    assert f"{len(data.rows)} matured loans ({data.bad} bad" in msg and f"at least {data.bad + 1}" in msg


def test_refuses_when_the_holdout_has_no_bad_loan():
    data = dataset(40)
    good_only = type(data)(tuple(r for r in data.rows if not r.bad), 0, data.as_of, 12)
    with pytest.raises(NotEnoughData, match="needs bad and good"):
        fit_challenger(good_only, shipped_model(), min_bad=0)


def test_out_of_time_split_holds_out_the_latest_loans():
    data = dataset()
    train, hold = split(data)
    assert data.immature == 59 and len(data.rows) == 241  # disbursed from 2025-01-02 on: not matured
    assert len(hold) == 72 and len(train) == 169
    assert max(r.loan.disbursed_on for r in train) <= min(r.loan.disbursed_on for r in hold)


def test_report_compares_both_models_on_the_same_rows():
    data = dataset()
    start = time.perf_counter()
    ch = fit_challenger(data, shipped_model(), min_bad=10)
    assert time.perf_counter() - start < 10  # seconds, not minutes
    r = ch.report
    assert r["counts"]["holdout"] == 72 and r["counts"]["train"] == 169 and r["counts"]["bad"] == data.bad
    assert r["counts"]["immature"] == 59
    assert r["champion"]["version"] == shipped_model().version
    assert r["challenger"]["version"] == ch.version and ch.version.startswith("platform-logit-")
    for side in ("champion", "challenger"):
        assert sum(d["n"] for d in r[side]["calibration"]) == 72
        assert 0 <= r[side]["at_cutoff"]["approved"] <= 72
    # The crafted outcome follows loan-to-income and inquiries: the refitted model ranks it well.
    assert r["challenger"]["auc"] > 0.6 and r["challenger"]["at_cutoff"]["approved"] > 0
    assert json.loads(ch.report_text) == r


def test_challenger_is_a_working_credit_model_with_its_version():
    ch = fit_challenger(dataset(), shipped_model(), min_bad=10)
    model = CreditModel(json.loads(ch.artifact_text))
    assert model.version == ch.version and len(model.version) <= 40
    assert ch.artifact["training"]["source"] == "platform"


def test_same_book_same_bytes_other_book_other_version():
    a = fit_challenger(dataset(), shipped_model(), min_bad=10)
    b = fit_challenger(dataset(), shipped_model(), min_bad=10)
    assert a.report_text == b.report_text and a.artifact_text == b.artifact_text
    c = fit_challenger(dataset(seed=8), shipped_model(), min_bad=10)
    assert c.version != a.version
