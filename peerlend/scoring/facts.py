"""The applicant facts the credit model reads, on the platform's side of the mapping.

Amounts are CNY minor units (int); percentages are Decimal (e.g. ``Decimal("45.2")`` for
45.2 %); counts are int; ``None`` means unknown. Each field corresponds to one Lending Club
application-time column (see ``peerlend.scoring.lc`` and docs/model-card.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    amount_minor: int | None  # LC funded_amnt
    term_months: int | None  # LC term
    annual_income_minor: int | None  # LC annual_inc
    employment_years: int | None = None  # LC emp_length: 0 (<1 year) .. 10 (10+ years)
    # LC verification_status != Not_Verified; documents an offline agent verified in
    # person count as verified.
    income_verified: bool = False
    region: str = ""  # province/region code; LC addr_state is a US state and is not used
    delinq_2yrs: int | None = None  # 30+ days past-due incidents in the last 2 years
    inq_last_6mths: int | None = None  # credit inquiries in the last 6 months
    revol_util_pct: Decimal | None = None  # revolving (card) balance / limit, %
    acc_now_delinq: int | None = None  # accounts now delinquent
    open_il_6m: int | None = None  # currently active instalment loans (LC's definition)
    open_il_12m: int | None = None  # instalment loans opened in the last 12 months
    open_il_24m: int | None = None  # instalment loans opened in the last 24 months
    total_bal_il_minor: int | None = None  # balance owed on instalment loans
    all_util_pct: Decimal | None = None  # balance / credit limit over all trades, %
    inq_fi: int | None = None  # personal-finance inquiries
    inq_last_12m: int | None = None  # credit inquiries in the last 12 months
    delinq_amnt_minor: int | None = None  # amount now past due
    num_il_tl: int | None = None  # instalment accounts ever held
    total_il_high_credit_limit_minor: int | None = None  # original amounts of instalment loans

    @classmethod
    def from_object(cls, obj: Any) -> ApplicationFacts:
        """Read the fields by attribute name (or key, for a mapping); absent ones are unknown."""
        if isinstance(obj, ApplicationFacts):
            return obj
        if isinstance(obj, Mapping):
            get = obj.get
        else:

            def get(name: str, default: Any = None) -> Any:
                return getattr(obj, name, default)

        values: dict[str, Any] = {}
        for f in fields(cls):
            value = get(f.name, None)
            if f.name == "income_verified":
                value = bool(value)
            elif f.name == "region":
                value = "" if value is None else str(value)
            elif value is not None and f.name.endswith("_pct") and not isinstance(value, Decimal):
                value = Decimal(str(value))
            values[f.name] = value
        return cls(**values)


FACT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ApplicationFacts))
