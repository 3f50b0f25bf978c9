"""One approved model drives every score: intake, the credit limit, batch scoring, monitoring, the quote.

A candidate whose intercept differs from the shipped model's is approved; every platform path must then
give the figures the live model gives (and which differ from the shipped model's for the same facts).
With no approved candidate they all give the shipped model's, as before.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerlend.clock import set_business_date
from peerlend.domain.pricing import grade_for_pd, price, reference_pd
from peerlend.lending import services as lending
from peerlend.scoring import batch
from peerlend.scoring.history import history_of, score_with_history
from peerlend.scoring.lc import facts_from_lc_row
from peerlend.scoring.limits import borrower_limit, limit_for_application
from peerlend.scoring.model import CreditModel, shipped_model
from peerlend.scoring.models import ModelCandidate
from peerlend.scoring.monitoring.report import psi_rows
from peerlend.scoring.retraining import decisions, live
from peerlend.scoring.services import score
from tests.factories import make_staff, make_user
from tests.scoring.limits.conftest import application

TODAY = dt.date(2026, 6, 15)
VERSION = "platform-logit-livetest0001"
# A Lending Club row the shipped and the crafted model grade differently.
LC_HEADER = ["funded_amnt", "term", "annual_inc", "emp_length", "verification_status", "inq_last_6mths", "all_util"]
LC_ROW = ["12000", "term_36", "60000", "emp_3", "Verified", "2", "60"]


def crafted_artifact(shift: float = -1.0) -> dict:
    """The shipped artifact with its intercept moved by ``shift`` log-odds: the same inputs, other PDs."""
    data = json.loads(json.dumps(shipped_model().data))
    data["intercept"] = float(data["intercept"]) + shift
    data["model_version"] = VERSION
    return data


@pytest.fixture
def today(db):
    set_business_date(TODAY)
    return TODAY


@pytest.fixture
def approved(today):
    """The crafted candidate, stored pending and approved by a risk officer (the real decision path)."""
    candidate = ModelCandidate.objects.create(
        version=VERSION, artifact_text=json.dumps(crafted_artifact(), sort_keys=True), report_text="{}", rows=300,
        bad=40, train_rows=200, holdout_rows=100, as_of=TODAY, horizon_months=12, min_bad=10,
        champion_version=shipped_model().version)
    decisions.approve(user=make_staff("risk_officer"), candidate_id=candidate.pk, reason="crafted for the test")
    model = live.live_model()
    assert model.version == VERSION and model.intercept != shipped_model().intercept
    return model


def _score_file_rows(tmp_path: Path) -> tuple[str, dict[str, str]]:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(",".join(LC_HEADER) + "\n" + ",".join(LC_ROW) + "\n")
    out = io.StringIO()
    call_command("score_file", str(src), str(dst), stdout=out)
    return out.getvalue(), next(csv.DictReader(dst.open()))


def _lc_facts():
    return facts_from_lc_row(dict(zip(LC_HEADER, LC_ROW, strict=True)))[0]


# ---------------------------------------------------------------- the crafted input really separates the models


def test_the_crafted_model_grades_the_crafted_inputs_differently(approved):
    for facts in (_lc_facts(), application()):
        live_score, shipped_score = score(facts, approved), score(facts, shipped_model())
        assert live_score.grade != shipped_score.grade and live_score.pd < shipped_score.pd


# ---------------------------------------------------------------- batch scoring


def test_score_file_scores_with_the_live_model(approved, tmp_path):
    text, row = _score_file_rows(tmp_path)
    expected = score(_lc_facts(), approved)
    assert VERSION in text
    assert (Decimal(row["pd"]), row["grade"]) == (expected.pd, expected.grade)
    assert row["grade"] != score(_lc_facts(), shipped_model()).grade


def test_score_file_without_a_candidate_uses_the_shipped_model(today, tmp_path):
    text, row = _score_file_rows(tmp_path)
    expected = score(_lc_facts(), shipped_model())
    assert shipped_model().version in text
    assert (Decimal(row["pd"]), row["grade"]) == (expected.pd, expected.grade)


def test_score_file_reads_the_live_model_once_per_file(approved, tmp_path):
    src = tmp_path / "many.csv"
    src.write_text(",".join(LC_HEADER) + "\n" + (",".join(LC_ROW) + "\n") * 500)
    with CaptureQueriesContext(connection) as queries:
        call_command("score_file", str(src), str(tmp_path / "o.csv"), stdout=io.StringIO())
    assert len(queries.captured_queries) <= 2  # the live version (the artifact is cached from the fixture)


# ---------------------------------------------------------------- credit limit, intake, quote


def test_limit_intake_and_quote_agree_on_the_live_model(approved, client):
    user = make_user(roles=("borrower",))
    data = application()
    _limit, limit_pd = limit_for_application(data, borrower_id=user.pk, borrower_type="person", outstanding_minor=0)
    expected = score_with_history(data, history_of(user.pk), approved)
    shipped = score_with_history(data, history_of(user.pk), shipped_model())
    assert limit_pd == expected.pd != shipped.pd

    loan = lending.submit_application(borrower=user, data=data)
    loan.refresh_from_db()
    assert loan.model_version == VERSION
    assert (loan.pd, loan.grade, loan.annual_rate) == (expected.pd, expected.grade, expected.annual_rate)
    assert loan.grade != shipped.grade
    # The page's credit limit (recomputed on read) uses the same model as intake.
    assert borrower_limit(user.pk) is not None

    # The quote prices each grade band with the pricing intake uses: the grade intake decided, at the
    # applicant's PD, is priced by the same function, and a band's price does not depend on the model.
    assert grade_for_pd(loan.pd) == loan.grade
    assert price(loan.pd, loan.term_months).annual_rate == loan.annual_rate
    body = client.get("/api/quote", {"amount": "10000.00", "term_months": "12"}).json()
    for row in body["grades"]:
        assert Decimal(row["annual_rate"]) == price(reference_pd(row["grade"]), 12).annual_rate


def test_the_quote_is_the_same_before_and_after_an_approval(today, client):
    params = {"amount": "10000.00", "term_months": "12", "repayment_method": "equal_installment"}
    before_api = client.get("/api/quote", params).json()
    before_page = client.get("/apply/quote", params, HTTP_HX_REQUEST="true").content
    candidate = ModelCandidate.objects.create(
        version=VERSION, artifact_text=json.dumps(crafted_artifact()), report_text="{}", rows=1, bad=1, train_rows=1,
        holdout_rows=1, as_of=TODAY, horizon_months=12, min_bad=1, champion_version=shipped_model().version)
    decisions.approve(user=make_staff("risk_officer"), candidate_id=candidate.pk, reason="crafted")
    with CaptureQueriesContext(connection) as queries:
        after_page = client.get("/apply/quote", params, HTTP_HX_REQUEST="true").content
    assert not any("scoring_modelcandidate" in q["sql"] for q in queries.captured_queries)  # scores nothing
    assert client.get("/api/quote", params).json() == before_api
    assert after_page == before_page


def test_without_a_candidate_limit_and_intake_use_the_shipped_model(today):
    user = make_user(roles=("borrower",))
    data = application()
    expected = score_with_history(data, history_of(user.pk), shipped_model())
    _limit, limit_pd = limit_for_application(data, borrower_id=user.pk, borrower_type="person", outstanding_minor=0)
    assert limit_pd == expected.pd
    loan = lending.submit_application(borrower=user, data=data)
    loan.refresh_from_db()
    assert (loan.model_version, loan.pd, loan.grade) == (shipped_model().version, expected.pd, expected.grade)


# ---------------------------------------------------------------- monitoring and the cache


def test_monitoring_reads_the_inputs_of_the_model_that_scored(approved):
    assert live.model_for_version(VERSION) is approved
    assert live.model_for_version(shipped_model().version) is shipped_model()
    assert live.model_for_version("never-stored") is approved  # unknown: the live model
    names = [r.name for r in psi_rows([], [], approved)]
    assert names[2:] == [i.feature.name for i in approved.inputs]


def test_the_live_artifact_is_parsed_once_per_version(approved, monkeypatch):
    live._CACHE.pop(VERSION, None)
    parsed: list[str] = []
    real = CreditModel.__init__

    def counting(self, data):
        parsed.append(data["model_version"])
        real(self, data)

    monkeypatch.setattr(CreditModel, "__init__", counting)
    first = live.live_model()
    assert all(live.live_model() is first for _ in range(5))
    assert parsed == [VERSION]


# ---------------------------------------------------------------- no platform path leaves the model out

# Pure functions whose ``model`` defaults to the shipped file, and the positional index of ``model``.
_MODEL_ARG = {
    ("peerlend.scoring.services", "score"): 1,
    ("peerlend.scoring.history", "score_with_history"): 2,
    ("peerlend.scoring.history", "with_history"): 3,
    ("peerlend.scoring.batch", "score_rows"): 2,
    ("peerlend.scoring.batch", "score_file"): 3,
}


def test_every_platform_call_of_a_pure_scorer_passes_the_model():
    root = Path(batch.__file__).resolve().parents[1]
    missing = []
    for path in sorted(root.rglob("*.py")):
        if "training" in path.parts:  # fitting and documenting the shipped artifact: deliberately the file
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    at = _MODEL_ARG.get((node.module, alias.name))
                    if at is not None:
                        names[alias.asname or alias.name] = at
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                given = len(node.args) > names[node.func.id] or any(k.arg == "model" for k in node.keywords)
                if not given:
                    missing.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.func.id}()")
    assert missing == [], "pass the live model (peerlend.scoring.retraining.live.live_model): " + ", ".join(missing)
