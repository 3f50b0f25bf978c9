import csv
import dataclasses
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from peerlend.datasets import lending_club_csv
from peerlend.domain.pricing import GRADES, price
from peerlend.scoring.facts import FACT_NAMES, ApplicationFacts
from peerlend.scoring.lc import facts_from_lc_row
from peerlend.scoring.model import shipped_model
from peerlend.scoring.services import Score, score

REPO = Path(__file__).resolve().parents[2]
LC = lending_club_csv()
needs_lc = pytest.mark.skipif(not LC.is_file(), reason="Lending Club data not available")


def facts(**kw):
    base = dict(
        amount_minor=3_000_000, term_months=12, annual_income_minor=15_000_000, employment_years=4,
        income_verified=True, region="GD", delinq_2yrs=0, inq_last_6mths=1, revol_util_pct=Decimal("40"),
        acc_now_delinq=0, open_il_6m=2, open_il_12m=1, open_il_24m=1, total_bal_il_minor=2_000_000,
        all_util_pct=Decimal("55"), inq_fi=1, inq_last_12m=2, delinq_amnt_minor=0, num_il_tl=5,
        total_il_high_credit_limit_minor=5_000_000,
    )
    base.update(kw)
    return ApplicationFacts(**base)


def test_from_object_reads_attributes_and_missing_become_unknown():
    class App:
        amount_minor = 1_000_000
        term_months = 6
        annual_income_minor = 9_000_000
        income_verified = 1
        revol_util_pct = 33.5

    f = ApplicationFacts.from_object(App())
    assert f.amount_minor == 1_000_000 and f.term_months == 6 and f.income_verified is True
    assert f.revol_util_pct == Decimal("33.5")
    assert f.employment_years is None and f.num_il_tl is None and f.region == ""
    assert ApplicationFacts.from_object({"amount_minor": 5, "region": "SH"}).region == "SH"
    assert set(FACT_NAMES) >= {"total_il_high_credit_limit_minor", "inq_fi", "all_util_pct"}


def test_lc_row_mapping():
    row = {"funded_amnt": "16100", "term": "term_36", "verification_status": "Source_Verified",
           "annual_inc": "35000.0", "emp_length": "emp_lt_1", "revol_util": "67.4", "addr_state": "CT",
           "int_rate": "13.99", "sub_grade": "C4"}
    f, errors = facts_from_lc_row(row)
    assert errors == []
    assert f.amount_minor == 16100 * 650 and f.annual_income_minor == 35000 * 650
    assert f.term_months == 36 and f.employment_years == 0 and f.income_verified is True
    assert f.revol_util_pct == Decimal("67.4") and f.delinq_2yrs is None
    f, errors = facts_from_lc_row({"emp_length": "emp_ge_10", "delinq_2yrs": "-1", "term": "forever"})
    assert f.employment_years == 10 and f.delinq_2yrs is None and f.term_months is None
    assert len(errors) == 2


def test_score_shape_grade_and_price_agree():
    s = score(facts())
    assert isinstance(s, Score)
    assert s.pd == s.pd.quantize(Decimal("0.0001")) and Decimal(0) < s.pd < 1
    assert s.grade in GRADES
    p = price(s.pd, 12)
    assert (s.annual_rate, s.origination_fee_rate) == (p.annual_rate, p.origination_fee_rate)
    assert s.model_version == shipped_model().version
    assert score(dataclasses.asdict(facts())) == s  # any object / mapping with the attributes


@pytest.mark.parametrize(("field", "values"), [
    ("delinq_2yrs", [0, 1, 3, 10]),
    ("acc_now_delinq", [0, 1, 2]),
    ("inq_last_6mths", [0, 1, 3, 6, 20]),
    ("open_il_12m", [0, 1, 2, 5]),
    ("all_util_pct", [Decimal(x) for x in (0, 30, 60, 90, 150)]),
    ("revol_util_pct", [Decimal(x) for x in (0, 30, 60, 90)]),
    ("amount_minor", [100_000, 1_000_000, 5_000_000, 20_000_000]),
])
def test_worse_facts_never_lower_the_pd(field, values):
    pds = [score(facts(**{field: v})).pd for v in values]
    assert pds == sorted(pds), pds


def test_riskier_profile_gets_higher_pd_worse_grade_and_higher_rate():
    good = score(facts())
    bad = score(facts(inq_last_6mths=5, open_il_12m=4, open_il_24m=6, all_util_pct=Decimal("95"),
                      amount_minor=15_000_000, employment_years=None, num_il_tl=1))
    assert bad.pd > good.pd
    assert GRADES.index(bad.grade) > GRADES.index(good.grade)
    assert bad.annual_rate > good.annual_rate
    assert bad.score < good.score


def test_income_verification_never_raises_the_pd():
    assert score(facts(income_verified=True)).pd <= score(facts(income_verified=False)).pd


def test_reasons_present_and_plain_language():
    for f in (facts(), facts(inq_last_6mths=6, open_il_12m=5), facts(employment_years=None)):
        s = score(f)
        assert 1 <= len(s.reasons) <= 4
        for r in s.reasons:
            assert r.code.isupper() and r.text.endswith(".")
            assert "_" not in r.text and len(r.text.split()) >= 5
    s = score(facts(inq_last_6mths=6, open_il_12m=5))
    assert {"RECENT_INQUIRIES", "NEW_LOANS_12M"} <= {r.code for r in s.reasons}


def test_scale_free_usd_cny_rate_does_not_change_the_score():
    f = facts()
    scaled = dataclasses.replace(
        f, **{n: getattr(f, n) * 7 for n in FACT_NAMES if n.endswith("_minor") and getattr(f, n) is not None}
    )
    assert score(scaled).pd == score(f).pd


def test_far_outside_training_range_is_flagged():
    assert score(facts()).out_of_range == ()
    s = score(facts(amount_minor=500_000_000, annual_income_minor=1_000_000))
    assert "loan_to_income" in s.out_of_range
    assert Decimal(0) < s.pd < 1  # clipped, still scored


def test_unknown_facts_still_score():
    s = score(ApplicationFacts(amount_minor=None, term_months=None, annual_income_minor=None))
    assert s.grade in GRADES and s.reasons


def test_runtime_scoring_imports_no_training_library_and_no_pickle():
    code = (
        "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'peerlend.settings');"
        "django.setup();"
        "from peerlend.scoring.services import score; from peerlend.scoring.facts import ApplicationFacts;"
        "s = score(ApplicationFacts(amount_minor=100000, term_months=12, annual_income_minor=9000000));"
        "bad = [m for m in ('sklearn', 'numpy', 'matplotlib', 'scipy') if m in sys.modules];"
        "print(s.grade, bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip().endswith("[]"), out
    for module in ("facts", "features", "lc", "model", "services"):
        source = (REPO / "peerlend" / "scoring" / f"{module}.py").read_text()
        assert "import pickle" not in source and "joblib" not in source


def test_artifact_is_small_json_without_forbidden_inputs():
    path = REPO / "peerlend" / "scoring" / "artifacts" / "credit_model.json"
    assert path.stat().st_size < 100_000
    data = json.loads(path.read_text())
    names = {i["name"] for i in data["inputs"]}
    assert not names & {"int_rate", "sub_grade", "Class", "addr_state"}
    assert data["training"]["rows"] > 0


@needs_lc
def test_batch_path_matches_the_service_on_every_lending_club_row():
    from peerlend.scoring.batch import OUTPUT_COLUMNS, score_rows

    with LC.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    out, n_err = score_rows(header, rows)
    assert n_err == 0
    ipd = OUTPUT_COLUMNS.index("pd")
    mismatched = 0
    for r, o in zip(rows, out):
        f, _errors = facts_from_lc_row(dict(zip(header, r)))
        s = score(f)
        if (str(s.pd), str(s.score), s.grade) != (o[ipd], o[ipd + 1], o[ipd + 2]):
            mismatched += 1
            assert abs(Decimal(o[ipd]) - s.pd) <= Decimal("0.0001")
        assert o[OUTPUT_COLUMNS.index("reasons")] == ";".join(r.code for r in s.reasons)
    assert mismatched <= len(rows) // 1000  # float rounding at a 4th-decimal edge only


def test_score_file_reports_malformed_rows_and_never_aborts(tmp_path):
    from peerlend.scoring.batch import score_file

    src = tmp_path / "in.csv"
    src.write_text(
        "funded_amnt,term,annual_inc,emp_length,verification_status,inq_last_6mths,all_util,extra\n"
        "10000,term_36,50000,emp_3,Verified,1,60,x\n"
        "abc,term_99x,,emp_weird,maybe,-2,inf,y\n"
        "5000,term_60\n"
        "20000,term_36,0,emp_ge_10,Not_Verified,3.5,70,z,too,many\n"
    )
    dst = tmp_path / "out.csv"
    err = io.StringIO()
    result = score_file(src, dst, stderr=err)
    assert result.rows == 4 and result.rows_with_errors == 3
    out = list(csv.DictReader(dst.open()))
    assert len(out) == 4
    assert out[0]["errors"] == "" and out[0]["extra"] == "x"
    for row in out:
        assert row["grade"] in GRADES and Decimal(row["pd"]) > 0 and row["reasons"]
        assert Decimal(row["annual_rate"]) > 0
    assert "funded_amnt: not a number" in out[1]["errors"] and "term" in out[1]["errors"]
    assert "inq_last_6mths" in out[1]["errors"] and "all_util" in out[1]["errors"]
    assert "fields" in out[2]["errors"] and "inq_last_6mths: not a count" in out[3]["errors"]
    assert "in.csv:3:" in err.getvalue()


def test_score_file_command(tmp_path, db):  # reads the live model (docs/retraining.md)
    from django.core.management import call_command

    src = tmp_path / "in.csv"
    src.write_text("funded_amnt,term,annual_inc\n1000,term_36,20000\n")
    out = io.StringIO()
    call_command("score_file", str(src), str(tmp_path / "o.csv"), stdout=out)
    assert "scored 1 rows" in out.getvalue()
