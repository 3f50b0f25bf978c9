"""The shortcuts that make `peerlend score-file` fast give what the plain per-row code gives."""

import csv
import gc
import io
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlend.scoring import batch
from peerlend.scoring.batch import OUTPUT_COLUMNS, score_file, score_rows, ten_thousandths
from peerlend.scoring.lc import facts_from_lc_row
from peerlend.scoring.services import NO_ADVERSE_CODE, score
from tests.scoring.test_scoring import LC, needs_lc


def _by_fstring(values):
    return [int(f"{x:.4f}".replace(".", "")) for x in values]


def test_ten_thousandths_equal_the_fstring_at_every_edge():
    edges = []
    for k in range(0, 10_001):
        for centre in (k / 10_000, (k + 0.5) / 10_000):
            edges += [centre, np.nextafter(centre, 0.0), np.nextafter(centre, 1.0)]
    # Exact binary ties go to the even neighbour in the f-string: 0.03125 -> 0.0312, 0.09375 -> 0.0938.
    edges += [0.03125, 0.09375, 0.15625, 0.0, 1.0, 5e-324, 1 - 2**-53]
    values = np.clip(np.asarray(edges), 0.0, 1.0)
    assert ten_thousandths(values).tolist() == _by_fstring(values.tolist())
    assert ten_thousandths(np.array([0.03125])).tolist() == [312]


@settings(deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=50))
def test_ten_thousandths_equal_the_fstring(values):
    assert ten_thousandths(np.asarray(values, dtype=float)).tolist() == _by_fstring(values)


def test_numbers_parse_each_distinct_text_as_float_does():
    errors = batch._Errors(0)
    raw = ["1", " 5000 ", "", "none", "NaN", "abc", "inf", "-3", "1.5", "abc", "1e3"]
    values = batch._numbers("annual_inc", raw, errors, "amount")
    usd = [1, 5000, None, None, None, None, None, None, 1.5, None, 1000]
    expected = [None if x is None else round(x * float(batch._MINOR_PER_USD)) for x in usd]
    assert [None if np.isnan(v) else v for v in values.tolist()] == expected
    assert errors.by_row == {
        5: ["annual_inc: not a number: 'abc'"],
        9: ["annual_inc: not a number: 'abc'"],
        6: ["annual_inc: not a finite number: 'inf'"],
        7: ["annual_inc: negative amount: '-3'"],
    }


def test_columns_sharing_parsed_texts_each_report_their_own_bad_cells():
    errors = batch._Errors(0)
    parsed = batch._Floats()
    first = batch._numbers("inq_fi", ["x", "1", "2"], errors, "count", parsed)
    second = batch._numbers("inq_last_12m", ["1", "2", "3"], errors, "count", parsed)
    third = batch._numbers("num_il_tl", ["4", "x", "x"], errors, "count", parsed)
    assert np.isnan(first[0]) and second.tolist() == [1.0, 2.0, 3.0] and np.isnan(third[1:]).all()
    assert errors.by_row == {
        0: ["inq_fi: not a number: 'x'"],
        1: ["num_il_tl: not a number: 'x'"],
        2: ["num_il_tl: not a number: 'x'"],
    }


def test_counts_refuse_fractions_per_row():
    errors = batch._Errors(0)
    values = batch._numbers("delinq_2yrs", ["0", "2", "1.5", "0"], errors, "count")
    assert np.isnan(values[2]) and values[[0, 1, 3]].tolist() == [0.0, 2.0, 0.0]
    assert errors.by_row == {2: ["delinq_2yrs: not a count: '1.5'"]}


def test_score_file_pauses_the_cycle_collector_and_restores_it(tmp_path, monkeypatch):
    seen = []
    real = batch.score_rows

    def spy(header, rows, model=None):
        seen.append(gc.isenabled())
        return real(header, rows, model)

    monkeypatch.setattr(batch, "score_rows", spy)
    src = tmp_path / "in.csv"
    src.write_text("funded_amnt,term,annual_inc\n1000,term_36,20000\n")
    assert gc.isenabled()
    score_file(src, tmp_path / "o.csv", stderr=io.StringIO())
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        score_file(src, tmp_path / "o.csv", stderr=io.StringIO())
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


def test_score_file_restores_the_collector_when_scoring_fails(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch, "score_rows", boom)
    src = tmp_path / "in.csv"
    src.write_text("funded_amnt\n1000\n")
    with pytest.raises(RuntimeError):
        score_file(src, tmp_path / "o.csv")
    assert gc.isenabled()


@needs_lc
def test_sampled_lending_club_rows_score_as_the_service_does():
    """Thousands of rows, shuffled and repeated (repeats hit the per-distinct-value caches): each row's pd,
    score, grade, price and reasons equal the single-application service, within the tolerance of
    test_batch_path_matches_the_service_on_every_lending_club_row (pd at a 4th-decimal edge)."""
    with LC.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    rng = random.Random(18)
    sample = rng.sample(rows, 2_000) * 2
    rng.shuffle(sample)
    out, n_err = score_rows(header, sample)
    assert n_err == 0
    col = {name: i for i, name in enumerate(OUTPUT_COLUMNS)}
    edge = 0
    for r, o in zip(sample, out, strict=True):
        s = score(facts_from_lc_row(dict(zip(header, r, strict=True)))[0])
        if (o[col["pd"]], o[col["score"]]) != (str(s.pd), str(s.score)):
            edge += 1
            continue
        assert o[col["grade"]] == s.grade
        assert o[col["annual_rate"]] == str(s.annual_rate)
        assert o[col["origination_fee_rate"]] == str(s.origination_fee_rate)
        assert o[col["reasons"]] == (";".join(r.code for r in s.reasons) or NO_ADVERSE_CODE)
    assert edge <= len(sample) // 1000


def _score_both_ways(tmp_path, monkeypatch, text):
    """score_file's output and messages on ``text``, once as it runs and once forced through csv.reader."""
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode("utf-8"))
    results = []
    for plain in (True, False):
        if not plain:
            monkeypatch.setattr(batch, "_plain_lines", lambda text: None)
        err = io.StringIO()
        res = score_file(src, tmp_path / f"out_{plain}.csv", stderr=err)
        results.append(((res.rows, res.rows_with_errors), (tmp_path / f"out_{plain}.csv").read_bytes(), err.getvalue()))
    monkeypatch.undo()
    return results


HEADER = "funded_amnt,term,annual_inc,emp_length,verification_status,inq_last_6mths,all_util,extra\n"
GOOD = "10000,term_36,50000,emp_3,Verified,1,60,x\n"


@pytest.mark.parametrize(
    "text",
    [
        HEADER + GOOD * 3,
        (HEADER + GOOD * 3).replace("\n", "\r\n"),  # csv.writer's own line ends
        "\ufeff" + HEADER + GOOD + GOOD.rstrip("\n"),  # a byte-order mark, no final line end
        HEADER + " 10000 , term_36 ,50000,emp_3,Verified,1,60, x \n",
        HEADER + "10000,term_36,a'b,emp_3,Verified,1,60,x\n",  # the errors column needs csv quoting
        HEADER + "abc,term_99x,,emp_weird,maybe,-2,inf,y\n5000,term_60\n20000,term_36,0,emp_ge_10,x,3,70,z,too\n",
        HEADER + '10000,term_36,"50,000",emp_3,Verified,1,60,"x ""q"""\n',
        HEADER + GOOD + "\n" + GOOD,  # a blank line is a row of its own for csv.reader
        HEADER + "10000,term_36,50000,emp_3,Verified,1,60,x\ry\r\n",
        HEADER.replace("\n", "\r") + GOOD.replace("\n", "\r"),
        HEADER,
        "",
    ],
    ids=["lf", "crlf", "bom", "spaces", "quoted-error", "malformed", "quotes", "blank-line", "lone-cr", "cr", "header",
         "empty"],
)
def test_plain_text_path_writes_what_csv_writer_writes(tmp_path, monkeypatch, text):
    plain, reference = _score_both_ways(tmp_path, monkeypatch, text)
    assert plain == reference


@needs_lc
def test_plain_text_path_on_the_lending_club_file(tmp_path, monkeypatch):
    text = LC.read_text(encoding="utf-8")
    assert batch._plain_lines(text) is not None  # the shipped file takes the plain path
    plain, reference = _score_both_ways(tmp_path, monkeypatch, text)
    assert plain == reference and plain[0] == (text.count("\n") - 1, 0)


def test_plain_lines_only_for_text_csv_reader_would_split_on_commas():
    assert batch._plain_lines("a,b\n1,2\n") == ["a,b", "1,2"]
    assert batch._plain_lines("a,b\r\n1,2\r\n") == ["a,b", "1,2"]
    for text in ('a,b\n"1",2\n', "a,b\r1,2\r", "a,b\n1\r2\n", "a,b\n\n1,2\n", "a,b\n1,2\x00\n", "",
                 "a\n" + "x" * (csv.field_size_limit() + 1) + "\n"):
        assert batch._plain_lines(text) is None, repr(text[:20])


def test_slices_of_rows_score_as_one_pass(tmp_path, monkeypatch):
    """Rows scored in slices (batch._CHUNK_ROWS) give the file, error count and messages of one pass."""
    text = HEADER + GOOD + "abc,term_99x,,emp_weird,maybe,-2,inf,y\n5000,term_60\n" + GOOD + "1,term_36,a'b,x,y,1,2,z\n"
    src = tmp_path / "in.csv"
    src.write_text(text)
    results = []
    for size in (batch._CHUNK_ROWS, 2, 1):
        monkeypatch.setattr(batch, "_CHUNK_ROWS", size)
        err = io.StringIO()
        res = score_file(src, tmp_path / f"out_{size}.csv", stderr=err)
        results.append(((res.rows, res.rows_with_errors), (tmp_path / f"out_{size}.csv").read_bytes(), err.getvalue()))
    assert results[0][0] == (5, 3)
    assert "in.csv:6:" in results[0][2]
    assert results[1] == results[0] and results[2] == results[0]
