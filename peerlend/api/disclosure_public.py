"""API routes of public disclosure: risk-event notices, filing information and fees, per-loan disclosure.

Thin: selectors read, this module shapes. Notices and filing information are public; a loan's
disclosure needs a token (``known_at=investment`` uses the caller's own investment date). Labels are
given in the caller's language beside each code; amounts are decimal strings in CNY. No name, ID
number, phone or card number is ever returned: only bands and the province.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.disclosure.events import selectors as events
from peerlend.disclosure.events.about import DefaultRules, about
from peerlend.disclosure.loan_facts.selectors import LoanDisclosure, loan_disclosure
from peerlend.disclosure.models_events import RiskEvent
from peerlend.domain.money import format_minor
from peerlend.lending.selectors import loan_for_viewer

router = Router(tags=["disclosure"])


class RiskEventOut(Schema):
    id: int
    title: str = Field(..., description="as the operator typed it, in `language`")
    body: str
    language: str
    category: str
    category_label: str
    severity: str
    severity_label: str
    occurred_on: date
    published_on: date
    follows: int | None = Field(None, description="the notice this one corrects or updates")
    follow_ups: list[int]


def event_out(event: RiskEvent) -> dict[str, Any]:
    return {"id": event.pk, "title": event.title, "body": event.body, "language": event.language,
            "category": event.category, "category_label": str(event.get_category_display()),
            "severity": event.severity, "severity_label": str(event.get_severity_display()),
            "occurred_on": event.occurred_on, "published_on": event.published_on, "follows": event.follows_id,
            "follow_ups": [f.pk for f in events.public_follow_ups(event)]}


class FilingItemOut(Schema):
    code: str
    label: str
    value: str
    placeholder: bool


class FeesOut(Schema):
    investor_service_fee_rate: str
    grace_days: int
    late_fee_rate: str
    late_fee_min: str
    penalty_daily_rate: str
    prepayment_penalty_rate: str
    origination: dict[str, dict[str, str]] = Field(..., description="grade -> term months -> origination fee rate")


class DefaultRulesOut(Schema):
    guarantee_mode: Literal["none", "risk_reserve"] | str
    grace_days: int
    default_days: int
    charge_off_days: int
    compensation_days: int = Field(..., description="days overdue before the risk reserve pays (risk_reserve mode)")
    reserve_share_of_fee: str


class AboutOut(Schema):
    filing: list[FilingItemOut]
    fees: FeesOut
    default_rules: DefaultRulesOut


def rules_out(rules: DefaultRules) -> dict[str, Any]:
    return {"guarantee_mode": rules.guarantee_mode, "grace_days": rules.grace_days,
            "default_days": rules.default_days, "charge_off_days": rules.charge_off_days,
            "compensation_days": rules.compensation_days, "reserve_share_of_fee": str(rules.reserve_share_of_fee)}


class BasicsOut(Schema):
    kind: str
    age_band: str
    province: str
    income_band_cny: str
    income_verified: bool
    employment_years_band: str
    housing: str


class RepaymentOut(Schema):
    installments: int
    paid: int
    next_due: date | None
    principal_outstanding: str
    days_past_due: int


class OverdueOut(Schema):
    number: int
    due_date: date
    days_late: int
    paid_on: date | None


class FactOut(Schema):
    kind: str
    kind_label: str
    body: str
    recorded_at: date
    visible_from: date


class LoanDisclosureOut(Schema):
    loan_id: int
    status: str
    as_of: date
    known_at: date | None = Field(None, description="set when the answer is what was known at the investment date")
    purpose: str
    purpose_label: str
    borrower: BasicsOut
    grade: str
    score_band: str
    probability_of_default: str | None
    default_rules: DefaultRulesOut
    outstanding: bool
    repayment: RepaymentOut | None
    overdue_history: list[OverdueOut]
    facts: list[FactOut]


def disclosure_out(d: LoanDisclosure) -> dict[str, Any]:
    b, r = d.basics, d.repayment
    return {
        "loan_id": d.loan.pk, "status": d.loan.status, "as_of": d.as_of, "known_at": d.known_at,
        "purpose": d.loan.purpose, "purpose_label": str(d.loan.get_purpose_display()),
        "borrower": {"kind": b.kind, "age_band": b.age_band, "province": b.province, "income_band_cny": b.income_band,
                     "income_verified": b.income_verified, "employment_years_band": b.employment_band,
                     "housing": b.housing},
        "grade": d.grade, "score_band": d.score_band, "probability_of_default": None if d.pd is None else str(d.pd),
        "default_rules": rules_out(d.default_rules), "outstanding": d.outstanding,
        "repayment": None if r is None else {
            "installments": r.installments, "paid": r.paid, "next_due": r.next_due,
            "principal_outstanding": format_minor(r.principal_outstanding_minor), "days_past_due": r.days_past_due},
        "overdue_history": [vars(o) for o in d.overdue_history],
        "facts": [{"kind": f.kind, "kind_label": str(f.get_kind_display()), "body": f.body,
                   "recorded_at": f.recorded_at, "visible_from": f.visible_from} for f in d.facts],
    }


@router.get("/disclosure/events", response=list[RiskEventOut], url_name="risk_events")
def list_risk_events(request: HttpRequest) -> list[dict[str, Any]]:
    return [event_out(e) for e in events.published_events()]


@router.get("/disclosure/events/{event_id}", response={200: RiskEventOut, API_ERRORS: ApiError},
            url_name="risk_event")
def get_risk_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    return event_out(events.published_event(event_id))


@router.get("/disclosure/about", response=AboutOut, url_name="disclosure_about")
def get_about(request: HttpRequest) -> dict[str, Any]:
    a = about()
    fees = a.fees
    return {
        "filing": [{"code": i.code, "label": i.label, "value": i.value, "placeholder": i.placeholder}
                   for i in a.filing],
        "fees": {"investor_service_fee_rate": str(fees.investor_service_fee_rate), "grace_days": fees.grace_days,
                 "late_fee_rate": str(fees.late_fee_rate), "late_fee_min": format_minor(fees.late_fee_min_minor),
                 "penalty_daily_rate": str(fees.penalty_daily_rate),
                 "prepayment_penalty_rate": str(fees.prepayment_penalty_rate),
                 "origination": {g.grade: {str(term): str(p.origination_fee_rate) for term, p in g.by_term}
                                 for g in fees.origination}},
        "default_rules": rules_out(a.default_rules),
    }


@router.get("/disclosure/loans/{loan_id}", response={200: LoanDisclosureOut, API_ERRORS: ApiError}, auth=api_auth,
            url_name="loan_disclosure")
def get_loan_disclosure(request: HttpRequest, loan_id: int,
                        known_at: Literal["", "investment"] = "") -> dict[str, Any]:
    loan = loan_for_viewer(loan_id, request.user)  # type: ignore[arg-type]
    return disclosure_out(loan_disclosure(loan, request.user, known_at=known_at or None))
