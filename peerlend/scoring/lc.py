"""Lending Club table rows (lending_club_2016q1.csv) to ApplicationFacts.

Lending Club amounts are US dollars. They are converted to CNY minor units at the fixed
rate ``USD_CNY`` (the average 2016 Q1 rate, about 6.5), only so that training data and
platform applications share one representation. The model itself reads only scale-free
inputs (ratios of amounts, counts, percentages), so its output does not depend on this
rate; see docs/model-card.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from peerlend.scoring.facts import ApplicationFacts

USD_CNY = Decimal("6.5")
_MINOR_PER_USD = USD_CNY * 100

LC_COLUMNS: tuple[str, ...] = (
    "funded_amnt", "term", "addr_state", "verification_status", "annual_inc", "emp_length",
    "delinq_2yrs", "inq_last_6mths", "revol_util", "acc_now_delinq", "open_il_6m", "open_il_12m",
    "open_il_24m", "total_bal_il", "all_util", "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl",
    "total_il_high_credit_limit",
)
# Lending Club's own outputs and the label: never model inputs.
FORBIDDEN_COLUMNS: tuple[str, ...] = ("int_rate", "sub_grade", "Class")

_COUNTS = {
    "delinq_2yrs": "delinq_2yrs", "inq_last_6mths": "inq_last_6mths", "acc_now_delinq": "acc_now_delinq",
    "open_il_6m": "open_il_6m", "open_il_12m": "open_il_12m", "open_il_24m": "open_il_24m",
    "inq_fi": "inq_fi", "inq_last_12m": "inq_last_12m", "num_il_tl": "num_il_tl",
}
_AMOUNTS = {
    "funded_amnt": "amount_minor", "annual_inc": "annual_income_minor", "total_bal_il": "total_bal_il_minor",
    "delinq_amnt": "delinq_amnt_minor", "total_il_high_credit_limit": "total_il_high_credit_limit_minor",
}
_PCTS = {"revol_util": "revol_util_pct", "all_util": "all_util_pct"}
_MISSING = {"", "na", "nan", "null", "none"}


def _number(raw: str | None) -> Decimal | None:
    if raw is None or raw.strip().lower() in _MISSING:
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {raw!r}")
    return value


def parse_term(raw: str | None) -> int | None:
    if raw is None or raw.strip().lower() in _MISSING:
        return None
    text = raw.strip().lower().removeprefix("term_").removesuffix("months").strip()
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"term not understood: {raw!r}")
    return int(text)


def parse_emp_length(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip().lower()
    if text in _MISSING or text in {"emp_unk", "n/a"}:
        return None
    if text == "emp_lt_1":
        return 0
    if text == "emp_ge_10":
        return 10
    digits = text.removeprefix("emp_")
    if digits.isdigit() and 0 <= int(digits) <= 10:
        return int(digits)
    raise ValueError(f"employment length not understood: {raw!r}")


def parse_verified(raw: str | None) -> bool:
    if raw is None or raw.strip().lower() in _MISSING:
        return False
    text = raw.strip().lower().replace(" ", "_")
    if text in {"verified", "source_verified"}:
        return True
    if text == "not_verified":
        return False
    raise ValueError(f"verification status not understood: {raw!r}")


def facts_from_lc_row(row: Mapping[str, str | None]) -> tuple[ApplicationFacts, list[str]]:
    """Facts for one row, plus one message per value that could not be read (that value is
    then unknown). Absent columns are unknown, not errors."""
    errors: list[str] = []
    values: dict[str, object] = {}

    def attempt(column: str, fn, target: str, default: object = None) -> None:  # type: ignore[no-untyped-def]
        try:
            values[target] = fn(row.get(column))
        except ValueError as exc:
            errors.append(f"{column}: {exc}")
            values[target] = default

    def count(raw: str | None) -> int | None:
        n = _number(raw)
        if n is None:
            return None
        if n < 0 or n != n.to_integral_value():
            raise ValueError(f"not a count: {raw!r}")
        return int(n)

    def amount(raw: str | None) -> int | None:
        n = _number(raw)
        if n is None:
            return None
        if n < 0:
            raise ValueError(f"negative amount: {raw!r}")
        return int((n * _MINOR_PER_USD).to_integral_value())

    def pct(raw: str | None) -> Decimal | None:
        n = _number(raw)
        if n is not None and n < 0:
            raise ValueError(f"negative percentage: {raw!r}")
        return n

    attempt("term", parse_term, "term_months")
    attempt("emp_length", parse_emp_length, "employment_years")
    attempt("verification_status", parse_verified, "income_verified", False)
    for column, target in _COUNTS.items():
        attempt(column, count, target)
    for column, target in _AMOUNTS.items():
        attempt(column, amount, target)
    for column, target in _PCTS.items():
        attempt(column, pct, target)
    values["region"] = (row.get("addr_state") or "").strip()
    return ApplicationFacts(**values), errors  # type: ignore[arg-type]


def lc_bad(row: Mapping[str, str | None]) -> int:
    return 1 if (row.get("Class") or "").strip() == "bad" else 0

