"""Which loans a rule wants, and the checks of a rule's settings (shared by the pages and the API)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from peerlend.amount_input import parse_amount_input
from peerlend.domain.money import format_minor
from peerlend.domain.pricing import GRADES
from peerlend.errors import ApplicationError
from peerlend.investing.models_autoinvest import MAX_AMOUNT_MINOR, MAX_NOTES_PER_LOAN, MAX_RATE_BP
from peerlend.lending.models import Channel, Purpose, RepaymentMethod
from peerlend.lending.service_support import rule as lending_rule

GRADE_LETTERS: tuple[str, ...] = tuple(sorted({g[0] for g in GRADES}))
TERM_RANGE = (1, 60)  # the loan term constraint
NAME_MAX = 80

#: The loan fields the criteria read (one query loads them).
LOAN_FIELDS = ("pk", "status", "grade", "term_months", "repayment_method", "purpose", "channel", "annual_rate",
               "amount_minor", "funded_minor", "borrower_id", "list_expires_on")


_ZERO = re.compile(r"0+(\.0{1,2})?")


def parse_reserve(value: object, field_name: str = "cash_reserve") -> int:
    """The cash to keep uninvested: empty or zero is 0, else a positive amount (``amount_input``'s rules)."""
    if value is None or (isinstance(value, str) and (not value.strip() or _ZERO.fullmatch(value.strip()))):
        return 0
    return parse_amount_input(value, field=field_name)


def rate_bp(annual_rate: Decimal | None) -> int:
    """A loan's annual rate in basis points (rounded down: a rule's minimum is never met by rounding)."""
    return int((annual_rate or Decimal(0)) * 10_000)


def matches(rule: dict[str, Any], loan: Any) -> bool:
    """Whether ``rule`` (a row of :class:`AutoInvestRule` values) wants ``loan``; empty lists mean any."""
    grades = rule["grades"]
    grade = loan.grade or ""
    if grades and grade not in grades and grade[:1] not in grades:
        return False
    if rule["terms"] and loan.term_months not in rule["terms"]:
        return False
    if rule["repayment_methods"] and loan.repayment_method not in rule["repayment_methods"]:
        return False
    if rule["purposes"] and loan.purpose not in rule["purposes"]:
        return False
    if rule["channels"] and loan.channel not in rule["channels"]:
        return False
    return rate_bp(loan.annual_rate) >= rule["min_rate_bp"]


@dataclass
class RuleInput:
    """A rule's settings as the investor gave them (amounts already parsed to minor units)."""

    name: str
    amount_per_note_minor: int
    max_per_loan_minor: int
    enabled: bool = True
    grades: list[str] = field(default_factory=list)
    terms: list[int] = field(default_factory=list)
    repayment_methods: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    min_rate_bp: int = 0
    max_borrower_share_bp: int = 200
    cash_reserve_minor: int = 0
    monthly_cap_minor: int | None = None
    notes_per_loan: int = 1


def _refuse(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_rule", extra={"field": field_name})


def _choices(values: Iterable[Any], allowed: Iterable[Any], field_name: str) -> list[Any]:
    allowed_list = list(allowed)
    out: list[Any] = []
    for value in values:
        if value not in allowed_list:
            raise _refuse(_("%(value)s is not one of: %(allowed)s")
                          % {"value": value, "allowed": ", ".join(str(a) for a in allowed_list)}, field_name)
        if value not in out:
            out.append(value)
    return out


def _amount(value: int, field_name: str, *, lo: int, unit: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= MAX_AMOUNT_MINOR:
        raise _refuse(_("enter an amount from %(lo)s to %(hi)s CNY")
                      % {"lo": format_minor(lo), "hi": format_minor(MAX_AMOUNT_MINOR)}, field_name)
    if unit and value % unit:
        raise _refuse(_("enter a multiple of %(unit)s CNY") % {"unit": format_minor(unit)}, field_name)
    return value


def _count(value: int, field_name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _refuse(_("enter a whole number from %(lo)s to %(hi)s") % {"lo": lo, "hi": hi}, field_name)
    return value


def clean(data: RuleInput) -> dict[str, Any]:
    """The model fields of a valid rule; ``invalid_rule`` (400, with ``field``) names the first bad setting."""
    unit = lending_rule("NOTE_UNIT_MINOR")
    name = (data.name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise _refuse(_("give the rule a name of 1 to %(max)s characters") % {"max": NAME_MAX}, "name")
    per_note = _amount(data.amount_per_note_minor, "amount_per_note", lo=unit, unit=unit)
    per_loan = _amount(data.max_per_loan_minor, "max_per_loan", lo=unit, unit=unit)
    if per_loan < per_note:
        raise _refuse(_("the maximum per loan must be at least the amount per note"), "max_per_loan")
    cap = data.monthly_cap_minor
    if cap is not None:
        cap = _amount(cap, "monthly_cap", lo=unit)
    terms = [_count(t, "terms", *TERM_RANGE) for t in data.terms]
    return {
        "name": name,
        "enabled": bool(data.enabled),
        "grades": _choices([g.strip().upper() for g in data.grades], (*GRADE_LETTERS, *GRADES), "grades"),
        "terms": sorted(set(terms)),
        "repayment_methods": _choices(data.repayment_methods, RepaymentMethod.values, "repayment_methods"),
        "purposes": _choices(data.purposes, Purpose.values, "purposes"),
        "channels": _choices(data.channels, Channel.values, "channels"),
        "min_rate_bp": _count(data.min_rate_bp, "min_rate", 0, MAX_RATE_BP),
        "amount_per_note_minor": per_note,
        "max_per_loan_minor": per_loan,
        "max_borrower_share_bp": _count(data.max_borrower_share_bp, "max_borrower_share", 1, 10_000),
        "cash_reserve_minor": _amount(data.cash_reserve_minor, "cash_reserve", lo=0),
        "monthly_cap_minor": cap,
        "notes_per_loan": _count(data.notes_per_loan, "notes_per_loan", 1, MAX_NOTES_PER_LOAN),
    }
