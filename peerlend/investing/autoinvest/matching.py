"""Which enabled auto-invest rules want a listed loan (criteria filtered in SQL on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from peerlend.investing.autoinvest.rules import matches, rate_bp
from peerlend.investing.models_autoinvest import AutoInvestRule
from peerlend.lending.models import Loan

_LIMIT_FIELDS = ("id", "investor_id", "amount_per_note_minor", "max_per_loan_minor", "max_borrower_share_bp",
                 "cash_reserve_minor", "monthly_cap_minor", "notes_per_loan")
_RULE_FIELDS = (*_LIMIT_FIELDS, "grades", "terms", "repayment_methods", "purposes", "channels", "min_rate_bp")


def _criteria_q(loan: Loan) -> Q:
    """``rules.matches`` as a filter (PostgreSQL's jsonb containment): an empty list means any."""
    grade = loan.grade or ""
    q = Q(grades=[]) | Q(grades__contains=[grade]) | Q(grades__contains=[grade[:1]])
    for name, value in (("terms", loan.term_months), ("repayment_methods", loan.repayment_method),
                        ("purposes", loan.purpose), ("channels", loan.channel)):
        q &= Q(**{name: []}) | Q(**{f"{name}__contains": [value]})
    return q & Q(min_rate_bp__lte=rate_bp(loan.annual_rate))


def matching_rules(loan: Loan) -> list[dict[str, Any]]:
    """The enabled rules that want ``loan``, as rows of their limits (by rule id).

    PostgreSQL filters the criteria in SQL, so thousands of rules' criteria lists are never decoded;
    SQLite (no jsonb containment) reads them and applies ``rules.matches``.
    """
    enabled = AutoInvestRule.objects.filter(enabled=True).order_by("id")
    if connection.vendor == "postgresql":
        return list(enabled.filter(_criteria_q(loan)).values(*_LIMIT_FIELDS))
    return [r for r in enabled.values(*_RULE_FIELDS) if matches(r, loan)]
