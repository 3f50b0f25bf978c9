"""Reason codes: given only for an input that lowered this applicant's score against the reference
applicant (every input at its training mean), worst first, in words that match the direction."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlend.scoring import services
from peerlend.scoring.batch import OUTPUT_COLUMNS, score_rows
from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.lc import LC_COLUMNS, facts_from_lc_row
from peerlend.scoring.model import shipped_model
from peerlend.scoring.services import MAX_REASONS, MIN_REASON_POINTS, NO_ADVERSE_CODE, score

MODEL = shipped_model()
NEW_LOAN_CODES = {"NEW_LOANS_12M", "NEW_LOANS_24M", "ACTIVE_LOANS"}
UTILISATION_CODES = {"CARD_UTILISATION", "CREDIT_UTILISATION"}


def codes(facts: ApplicationFacts) -> list[str]:
    return [r.code for r in score(facts).reasons]


def web_form_applicant(**kw) -> ApplicationFacts:
    """What the online application form gives the model: the bureau facts it does not ask are unknown."""
    base = dict(amount_minor=3_000_000, term_months=12, annual_income_minor=15_000_000, employment_years=4,
                income_verified=False, delinq_2yrs=0, inq_last_6mths=0, acc_now_delinq=0, delinq_amnt_minor=0,
                revol_util_pct=Decimal("10"), open_il_12m=0, num_il_tl=None)
    base.update(kw)
    return ApplicationFacts(**base)


def strong_applicant(**kw) -> ApplicationFacts:
    """Every fact known and at or better than the reference applicant."""
    base = dict(amount_minor=1_000_000, term_months=12, annual_income_minor=20_000_000, employment_years=10,
                income_verified=True, delinq_2yrs=0, inq_last_6mths=0, revol_util_pct=Decimal("10"),
                acc_now_delinq=0, open_il_6m=0, open_il_12m=0, open_il_24m=0, total_bal_il_minor=0,
                all_util_pct=Decimal("10"), inq_fi=0, inq_last_12m=0, delinq_amnt_minor=0, num_il_tl=40,
                total_il_high_credit_limit_minor=10_000_000)
    base.update(kw)
    return ApplicationFacts(**base)


# ------------------------------------------------------------------ the reported cases


def test_ten_percent_card_utilisation_is_no_utilisation_reason():
    # Reported: 10 % card utilisation produced "large share of credit" (all_util was not asked: unknown).
    assert not UTILISATION_CODES & set(codes(web_form_applicant(revol_util_pct=Decimal("10"))))
    assert not UTILISATION_CODES & set(codes(strong_applicant(revol_util_pct=Decimal("10"),
                                                              all_util_pct=Decimal("10"))))


def test_zero_new_loans_is_no_new_loans_reason():
    # Reported: zero new loans produced "several new loans" (open_il_24m was not asked: unknown).
    assert not NEW_LOAN_CODES & set(codes(web_form_applicant(open_il_12m=0)))
    assert not NEW_LOAN_CODES & set(codes(strong_applicant(open_il_6m=0, open_il_12m=0, open_il_24m=0)))


def test_unknown_facts_never_give_a_reason_that_states_a_fact():
    everything_unknown = ApplicationFacts(amount_minor=None, term_months=None, annual_income_minor=None,
                                          employment_years=5)
    assert codes(everything_unknown) == [NO_ADVERSE_CODE]


def test_unknown_employment_gives_one_reason_not_also_short_employment():
    got = codes(strong_applicant(employment_years=None))
    assert got == ["EMPLOYMENT_UNKNOWN"]


# ------------------------------------------------------------------ the reference applicant


def test_reference_applicant_gets_no_reasons():
    reference = MODEL.reference_values()
    ev = MODEL.evaluate_values(reference)
    assert all(abs(e.points) < 1e-9 for e in ev.effects)
    assert services.reason_effects(ev) == []
    assert ev.log_odds == pytest.approx(MODEL.intercept + sum(i.reference_log_odds for i in MODEL.inputs))


def test_reference_is_the_value_an_unknown_input_is_scored_at():
    for inp in MODEL.inputs:
        assert inp.reference == min(max(inp.mean, inp.lo), inp.hi)


def test_strong_applicant_gets_no_adverse_factor():
    assert codes(strong_applicant()) == [NO_ADVERSE_CODE]


@pytest.mark.parametrize("inp", MODEL.inputs, ids=lambda i: i.feature.name)
def test_one_input_moved_to_its_worst_value_gives_exactly_that_reason(inp):
    values = MODEL.reference_values()
    worst = inp.hi if inp.feature.sign > 0 else inp.lo
    values[inp.feature.name] = worst
    ev = MODEL.evaluate_values(values)
    moved = next(e for e in ev.effects if e.input is inp)
    got = [e.input.feature.reason_code for e in services.reason_effects(ev)]
    if moved.points <= -MIN_REASON_POINTS:
        assert got == [inp.feature.reason_code]
    else:  # too small an effect to tell the applicant about
        assert got == []
    # The same input moved to a better value never gives a reason.
    values[inp.feature.name] = inp.lo if inp.feature.sign > 0 else inp.hi
    assert services.reason_effects(MODEL.evaluate_values(values)) == []


@pytest.mark.parametrize(("change", "code"), [
    ({"revol_util_pct": Decimal("95")}, "CARD_UTILISATION"),
    ({"all_util_pct": Decimal("95")}, "CREDIT_UTILISATION"),
    ({"open_il_12m": 4}, "NEW_LOANS_12M"),
    ({"open_il_24m": 6}, "NEW_LOANS_24M"),
    ({"inq_last_6mths": 4}, "RECENT_INQUIRIES"),
    ({"inq_fi": 6}, "FINANCE_INQUIRIES"),
    ({"num_il_tl": 0}, "SHORT_LOAN_HISTORY"),
    ({"employment_years": 0}, "SHORT_EMPLOYMENT"),
    ({"amount_minor": 12_000_000}, "LOAN_TO_INCOME"),
    ({"term_months": 60}, "LONG_TERM"),
])
def test_one_worse_fact_gives_exactly_that_reason(change, code):
    assert codes(strong_applicant(**change)) == [code]


def test_reasons_are_ranked_by_points_lost():
    s = score(strong_applicant(all_util_pct=Decimal("100"), inq_last_6mths=1, open_il_12m=5, num_il_tl=1))
    ev = MODEL.evaluate(strong_applicant(all_util_pct=Decimal("100"), inq_last_6mths=1, open_il_12m=5,
                                         num_il_tl=1))
    lost = {e.input.feature.reason_code: e.points for e in ev.effects}
    got = [r.code for r in s.reasons]
    assert len(got) >= 3
    assert [lost[c] for c in got] == sorted(lost[c] for c in got)


# ------------------------------------------------------------------ properties


_count = st.one_of(st.none(), st.integers(0, 99))
_pct = st.one_of(st.none(), st.decimals(0, 200, places=2))
_amount = st.one_of(st.none(), st.integers(0, 10_000_000_000))

applicants = st.builds(
    ApplicationFacts,
    amount_minor=st.one_of(st.none(), st.integers(100_000, 100_000_000)),
    term_months=st.one_of(st.none(), st.sampled_from([3, 6, 12, 24, 36, 60])),
    annual_income_minor=st.one_of(st.none(), st.integers(1, 1_000_000_000)),
    employment_years=st.one_of(st.none(), st.integers(0, 50)),
    income_verified=st.booleans(),
    delinq_2yrs=_count, inq_last_6mths=_count, revol_util_pct=_pct, acc_now_delinq=_count, open_il_6m=_count,
    open_il_12m=_count, open_il_24m=_count, total_bal_il_minor=_amount, all_util_pct=_pct, inq_fi=_count,
    inq_last_12m=_count, delinq_amnt_minor=_amount, num_il_tl=st.one_of(st.none(), st.integers(0, 999)),
    total_il_high_credit_limit_minor=_amount,
)


@settings(max_examples=300, deadline=None)
@given(applicants)
def test_every_reason_is_an_input_that_lowered_the_score_on_the_side_its_text_describes(facts):
    ev = MODEL.evaluate(facts)
    chosen = services.reason_effects(ev)
    assert len(chosen) <= MAX_REASONS
    for effect in chosen:
        inp = effect.input
        assert effect.points <= -MIN_REASON_POINTS < 0  # lowered the score against the reference
        # Every reason's text describes the feature's adverse direction ("large share" = above the reference).
        assert inp.feature.sign * (effect.value - inp.reference) > 0
    assert [e.points for e in chosen] == sorted(e.points for e in chosen)
    s = score(facts)
    assert [r.code for r in s.reasons] == ([e.input.feature.reason_code for e in chosen] or [NO_ADVERSE_CODE])
    # The effects add up to the log-odds: nothing is left out of the comparison with the reference.
    ppl = MODEL.points_per_log_odds
    reference_log_odds = MODEL.intercept + sum(i.reference_log_odds for i in MODEL.inputs)
    assert ev.log_odds == pytest.approx(reference_log_odds - sum(e.points for e in ev.effects) / ppl, abs=1e-9)


# ------------------------------------------------------------------ batch path agrees


def _lc_value(draw, kind):
    if kind == "count":
        return draw(st.sampled_from(["", "0", "1", "2", "3", "5", "8", "20"]))
    if kind == "pct":
        return draw(st.sampled_from(["", "0", "3.5", "10", "35", "52", "60.4", "80", "99.9", "150"]))
    return draw(st.sampled_from(["", "0", "800", "5000", "12000", "35000", "80000", "250000"]))


@st.composite
def lc_rows(draw):
    row = {}
    for column in LC_COLUMNS:
        if column == "term":
            row[column] = draw(st.sampled_from(["term_36", "term_60", ""]))
        elif column == "emp_length":
            row[column] = draw(st.sampled_from(["emp_lt_1", "emp_3", "emp_7", "emp_ge_10", "emp_unk"]))
        elif column == "verification_status":
            row[column] = draw(st.sampled_from(["Verified", "Not_Verified"]))
        elif column == "addr_state":
            row[column] = "CA"
        elif column in {"revol_util", "all_util"}:
            row[column] = _lc_value(draw, "pct")
        elif column in {"funded_amnt", "annual_inc", "total_bal_il", "delinq_amnt", "total_il_high_credit_limit"}:
            row[column] = _lc_value(draw, "amount")
        else:
            row[column] = _lc_value(draw, "count")
    return row


def _batch_reasons(rows: list[dict[str, str]]) -> list[list[str]]:
    header = list(LC_COLUMNS)
    out, _ = score_rows(header, [[r[c] for c in header] for r in rows])
    i = OUTPUT_COLUMNS.index("reasons")
    return [o[i].split(";") for o in out]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lc_rows(), min_size=1, max_size=25))
def test_batch_and_single_score_give_the_same_reasons(rows):
    batch = _batch_reasons(rows)
    for row, got in zip(rows, batch, strict=True):
        facts, errors = facts_from_lc_row(row)
        assert errors == []
        assert got == [r.code for r in score(facts).reasons], row


def test_batch_gives_the_reported_cases_no_contradicting_reason():
    rows = [
        {"funded_amnt": "5000", "term": "term_36", "annual_inc": "40000", "emp_length": "emp_3",
         "verification_status": "Verified", "revol_util": "10", "open_il_12m": "0"},
        {"funded_amnt": "5000", "term": "term_36", "annual_inc": "40000", "emp_length": "emp_ge_10",
         "verification_status": "Verified", "revol_util": "10", "all_util": "10", "open_il_6m": "0",
         "open_il_12m": "0", "open_il_24m": "0", "inq_last_6mths": "0", "inq_fi": "0", "inq_last_12m": "0",
         "num_il_tl": "40", "total_bal_il": "0", "total_il_high_credit_limit": "30000"},
    ]
    for got in _batch_reasons([{c: r.get(c, "") for c in LC_COLUMNS} for r in rows]):
        assert not (UTILISATION_CODES | NEW_LOAN_CODES) & set(got)
    assert _batch_reasons([{c: rows[1].get(c, "") for c in LC_COLUMNS}]) == [[NO_ADVERSE_CODE]]


# ------------------------------------------------------------------ words


FACT_REASONS = {"LONG_TERM", "INCOME_NOT_VERIFIED", "EMPLOYMENT_UNKNOWN", "PAST_DELINQUENCY", "ACCOUNTS_PAST_DUE",
                "AMOUNT_PAST_DUE"}


def test_reasons_about_amounts_and_counts_compare_with_the_reference_in_their_words():
    # "many", "large", "short" would be false just above the reference (one new loan against an
    # average of about half a loan); the words say what the rule checks: more than the average applicant.
    from peerlend.scoring.features import FEATURES

    for feature in FEATURES:
        if feature.reason_code in FACT_REASONS:
            continue
        assert "than the average applicant" in feature.reason_text, feature.name
    one_new_loan = score(strong_applicant(open_il_12m=1)).reasons
    assert [r.code for r in one_new_loan] == ["NEW_LOANS_12M"]
    assert "more new loans" in one_new_loan[0].text
