"""`train-model --data F --target T` and `score-file --model A`: any tabular credit file, crafted here."""

import csv
import json
import random

import pytest

pytest.importorskip("sklearn")

from django.core.management import CommandError, call_command

from peerlend.scoring.services import MIN_REASON_POINTS, NO_ADVERSE_CODE
from peerlend.scoring.tabular import OUTPUT_COLUMNS, TabularModel, load_tabular_model


def _write(path, header, rows):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _crafted(path, n=400, seed=3):
    """util drives default; noise does not; gender is a protected column that must be excluded."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        util = rng.random()
        late = rng.choice([0, 0, 0, 1, 2])
        bad = rng.random() < 0.05 + 0.35 * util + 0.1 * late
        rows.append([i + 1, f"{util:.3f}", late, rng.randint(1, 9), rng.choice([1, 2]), "bad" if bad else "good"])
    return _write(path, ["ID", "util", "late", "noise", "gender", "outcome"], rows)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("tab")
    src = _crafted(d / "crafted.csv")
    out = d / "model.json"
    call_command("train_model", "--data", str(src), "--target", "outcome", "--bad-value", "bad",
                 "--exclude", "ID", "gender", "--out", str(out), stdout=open(d / "log", "w"))  # noqa: SIM115
    return src, out


def test_training_writes_an_artifact_without_the_excluded_columns(trained):
    _, out = trained
    a = json.loads(out.read_text())
    assert a["input_kind"] == "columns"
    names = {i["name"] for i in a["inputs"]}
    assert "util" in names and not names & {"ID", "gender", "outcome"}
    assert a["excluded"] == ["ID", "gender"]
    assert set(a["selection"]["outer_folds"]) == {"pipeline", "plain_logistic", "gradient_boosting"}
    assert a["selection"]["outer_folds"]["pipeline"]["auc"]["mean"] > 0.6  # util really drives default


def test_score_file_with_the_artifact_matches_single_row_scoring(trained, tmp_path):
    src, out = trained
    dst = tmp_path / "scored.csv"
    call_command("score_file", str(src), str(dst), "--model", str(out), stdout=open(tmp_path / "log", "w"))  # noqa: SIM115
    model = load_tabular_model(out)
    with dst.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 400 and set(OUTPUT_COLUMNS) <= set(rows[0])
    for r in rows[:100]:
        one = model.score_values({c: float(r[c]) for c in model.columns})
        assert r["pd"] == f"{one.pd:.4f}" or abs(float(r["pd"]) - one.pd) < 1e-4
        assert int(r["score"]) == one.score and r["grade"] == one.grade
        assert r["reasons"] == ";".join(one.reasons)


def test_reasons_only_for_columns_that_lowered_the_score_against_the_reference(trained):
    model = load_tabular_model(trained[1])
    reference = {i.name: min(max(i.mean, i.lo), i.hi) for i in model.inputs}
    assert model.score_values(reference).reasons == (NO_ADVERSE_CODE,)
    ref_pd = model.score_values(reference).pd
    util = next(i for i in model.inputs if i.name == "util")
    worse = model.score_values({**reference, "util": util.hi})
    assert worse.pd > ref_pd and worse.reasons == ("util",)  # the only input away from the reference
    better = model.score_values({**reference, "util": util.lo})
    assert better.reasons == (NO_ADVERSE_CODE,)
    rng = random.Random(1)
    for _ in range(200):
        row = {i.name: rng.uniform(i.lo, i.hi) for i in model.inputs}
        got = model.score_values(row)
        lost = {i.name: (i.contribution(row[i.name]) - i.reference_log_odds) * model.points_per_log_odds
                for i in model.inputs}
        for name in got.reasons:
            if name != NO_ADVERSE_CODE:
                assert lost[name] >= MIN_REASON_POINTS, name  # it lowered this row's score
        assert set(got.reasons) - {NO_ADVERSE_CODE} >= {
            n for n, v in sorted(lost.items(), key=lambda kv: -kv[1])[:4] if v >= MIN_REASON_POINTS}


def test_unknown_cells_score_as_the_reference(trained):
    model = load_tabular_model(trained[1])
    reference = {i.name: min(max(i.mean, i.lo), i.hi) for i in model.inputs}
    assert model.score_values({}).pd == pytest.approx(model.score_values(reference).pd)


def _train(tmp_path, src, *extra):
    call_command("train_model", "--data", str(src), "--out", str(tmp_path / "m.json"), *extra,
                 stdout=open(tmp_path / "log", "w"))  # noqa: SIM115


def test_a_third_target_value_is_refused_naming_line_and_column(tmp_path):
    src = _crafted(tmp_path / "c.csv")
    lines = src.read_text().splitlines()
    lines[7] = lines[7].rsplit(",", 1)[0] + ",maybe"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"line 8, column 'outcome'.*'maybe'"):
        _train(tmp_path, src, "--target", "outcome", "--bad-value", "bad", "--exclude", "ID", "gender")


def test_target_without_bad_value_must_be_one_zero_or_bad_good(tmp_path):
    src = _write(tmp_path / "c.csv", ["x", "y"], [[i, "yes" if i % 2 else "no"] for i in range(50)])
    with pytest.raises(CommandError, match=r"line 2, column 'y'.*--bad-value"):
        _train(tmp_path, src, "--target", "y")


def test_a_missing_target_or_excluded_column_is_named(tmp_path):
    src = _crafted(tmp_path / "c.csv")
    with pytest.raises(CommandError, match=r"no column 'default'"):
        _train(tmp_path, src, "--target", "default")
    with pytest.raises(CommandError, match=r"no column 'SEX'"):
        _train(tmp_path, src, "--target", "outcome", "--bad-value", "bad", "--exclude", "SEX")


def test_a_non_numeric_cell_is_refused_naming_line_and_column(tmp_path):
    src = _crafted(tmp_path / "c.csv")
    lines = src.read_text().splitlines()
    cells = lines[4].split(",")
    cells[2] = "two"
    lines[4] = ",".join(cells)
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"line 5, column 'late': 'two' is not a number"):
        _train(tmp_path, src, "--target", "outcome", "--bad-value", "bad", "--exclude", "ID", "gender")
    assert not (tmp_path / "m.json").exists()  # nothing half-written


def test_a_bad_value_that_never_occurs_is_refused(tmp_path):
    src = _crafted(tmp_path / "c.csv")
    with pytest.raises(CommandError, match=r"no row has the bad value 'BAD'"):
        _train(tmp_path, src, "--target", "outcome", "--bad-value", "BAD", "--exclude", "ID", "gender")


def test_score_file_refuses_a_file_without_a_model_column(trained, tmp_path):
    src = _write(tmp_path / "in.csv", ["ID", "util", "noise"], [[1, "0.5", 3]])
    with pytest.raises(CommandError, match=r"line 1 \(header\): column\(s\) missing: 'late'"):
        call_command("score_file", str(src), str(tmp_path / "o.csv"), "--model", str(trained[1]))


def test_score_file_refuses_a_non_numeric_cell_naming_line_and_column(trained, tmp_path):
    src = _write(tmp_path / "in.csv", ["util", "late", "noise"], [["0.5", 1, 3], ["0.2", "n/a?", 3]])
    with pytest.raises(CommandError, match=r"line 3, column 'late': 'n/a\?' is not a number"):
        call_command("score_file", str(src), str(tmp_path / "o.csv"), "--model", str(trained[1]))


def test_empty_cells_are_unknown_not_errors(trained, tmp_path):
    src = _write(tmp_path / "in.csv", ["util", "late", "noise"], [["", "", "NA"]])
    call_command("score_file", str(src), str(tmp_path / "o.csv"), "--model", str(trained[1]),
                 stdout=open(tmp_path / "log", "w"))  # noqa: SIM115
    with (tmp_path / "o.csv").open(newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["reasons"] == NO_ADVERSE_CODE


def test_score_file_refuses_a_file_that_is_not_an_artifact(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"format": 99}')
    src = _write(tmp_path / "in.csv", ["util"], [["0.5"]])
    with pytest.raises(CommandError, match="not a credit model artifact"):
        call_command("score_file", str(src), str(tmp_path / "o.csv"), "--model", str(bad))


def test_tabular_model_refuses_a_platform_artifact():
    from importlib import resources

    data = json.loads(resources.files("peerlend.scoring.artifacts").joinpath("credit_model.json").read_text())
    with pytest.raises(ValueError, match="input_kind"):
        TabularModel(data)


def test_score_file_with_the_platform_artifact_path_still_scores_lending_club_rows(tmp_path):
    from peerlend.datasets import data_dir

    lc = data_dir() / "lending_club_2016q1.csv"
    if not lc.is_file():
        pytest.skip("Lending Club data not available")
    src = tmp_path / "lc.csv"
    src.write_text("".join(lc.read_text().splitlines(keepends=True)[:21]))
    from importlib import resources

    art = resources.files("peerlend.scoring.artifacts").joinpath("credit_model.json")
    call_command("score_file", str(src), str(tmp_path / "o.csv"), "--model", str(art),
                 stdout=open(tmp_path / "log", "w"))  # noqa: SIM115
    with (tmp_path / "o.csv").open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 20


def test_shipped_taiwan_artifact_excludes_protected_columns_and_beats_plain_logistic():
    from importlib import resources

    art = resources.files("peerlend.scoring.artifacts").joinpath("taiwan_credit_card.json")
    a = json.loads(art.read_text())
    model = TabularModel(a)
    assert not set(model.columns) & {"SEX", "MARRIAGE", "AGE", "ID", "default_payment_next_month"}
    outer = a["selection"]["outer_folds"]
    assert outer["pipeline"]["auc"]["mean"] >= outer["plain_logistic"]["auc"]["mean"]
    assert outer["pipeline"]["auc"]["mean"] > 0.72
    late = {c: 0.0 for c in model.columns} | {"PAY_0": 3.0}
    on_time = {c: 0.0 for c in model.columns} | {"PAY_0": -1.0}
    assert model.score_values(late).pd > model.score_values(on_time).pd  # 3 months late now: riskier
    assert "PAY_0" in model.score_values(late).reasons


def test_one_tabular_row_scores_in_well_under_a_millisecond():
    import time
    from importlib import resources

    art = resources.files("peerlend.scoring.artifacts").joinpath("taiwan_credit_card.json")
    model = TabularModel(json.loads(art.read_text()))
    row = {c: 1000.0 for c in model.columns}
    t0 = time.perf_counter()
    for _ in range(200):
        model.score_values(row)
    assert (time.perf_counter() - t0) / 200 < 1e-3


def test_quoted_and_plain_files_score_the_same(trained, tmp_path):
    src, out = trained
    quoted = tmp_path / "q.csv"
    with src.open(newline="") as fh, quoted.open("w", newline="") as q:
        csv.writer(q, quoting=csv.QUOTE_ALL).writerows(csv.reader(fh))
    model = load_tabular_model(out)
    from peerlend.scoring.tabular import score_table_file

    score_table_file(model, src, tmp_path / "a.csv")
    score_table_file(model, quoted, tmp_path / "b.csv")
    with (tmp_path / "a.csv").open(newline="") as a, (tmp_path / "b.csv").open(newline="") as b:
        assert list(csv.reader(a)) == list(csv.reader(b))
