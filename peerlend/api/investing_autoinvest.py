"""API routes of the investing context: autoinvest (thin: parse, call a service or selector, shape the answer).

Rules do not move money (the rounds do), so their writes need no Idempotency-Key; a PUT or DELETE
may send the rule's ``version`` and is refused with 409 ``stale`` when the rule changed meanwhile.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from peerlend.accounts.models import Role
from peerlend.accounts.services import require_role
from peerlend.api.auth import api_auth
from peerlend.api.base import money_field_minor
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.domain.money import format_minor
from peerlend.errors import NotFound
from peerlend.investing.autoinvest import selectors, services
from peerlend.investing.autoinvest.rules import RuleInput, parse_reserve
from peerlend.investing.models_autoinvest import (
    MAX_NOTES_PER_LOAN,
    MAX_RATE_BP,
    AutoInvestDecision,
    AutoInvestRule,
)

router = Router(tags=["investing"])
_LIST = 30  # at most this many values per criteria list
_MONEY = 'CNY as a decimal string, e.g. "100.00"'


class RuleIn(Schema):
    name: str = Field(..., max_length=80)
    enabled: bool = True
    grades: list[str] = Field([], max_length=_LIST, description="grade letters A-E or sub-grades; empty: any")
    terms: list[int] = Field([], max_length=_LIST, description="terms in months (1..60); empty: any")
    repayment_methods: list[str] = Field([], max_length=_LIST, description="empty: any")
    purposes: list[str] = Field([], max_length=_LIST, description="empty: any")
    channels: list[str] = Field([], max_length=_LIST, description="online, offline; empty: any")
    min_rate_bp: int = Field(0, ge=0, le=MAX_RATE_BP,
                             description=f"minimum annual rate, basis points (0..{MAX_RATE_BP})")
    amount_per_note: Any = Field(..., description=f"{_MONEY}; a multiple of the note unit")
    max_per_loan: Any = Field(..., description=f"{_MONEY}; at least amount_per_note")
    max_borrower_share_bp: int = Field(200, ge=1, le=10_000, description="per borrower, basis points of the account")
    cash_reserve: Any = Field("0.00", description=f"{_MONEY}; kept uninvested")
    monthly_cap: Any = Field(None, description=f"{_MONEY}, or null for no cap")
    notes_per_loan: int = Field(1, ge=1, le=MAX_NOTES_PER_LOAN)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="on PUT: the version you read")

    def to_input(self) -> RuleInput:
        return RuleInput(
            name=self.name, enabled=self.enabled, grades=self.grades, terms=self.terms,
            repayment_methods=self.repayment_methods, purposes=self.purposes, channels=self.channels,
            min_rate_bp=self.min_rate_bp, amount_per_note_minor=money_field_minor(self.amount_per_note,
                                                                                 "amount_per_note"),
            max_per_loan_minor=money_field_minor(self.max_per_loan, "max_per_loan"),
            max_borrower_share_bp=self.max_borrower_share_bp, cash_reserve_minor=parse_reserve(self.cash_reserve),
            monthly_cap_minor=None if self.monthly_cap in (None, "") else money_field_minor(self.monthly_cap,
                                                                                            "monthly_cap"),
            notes_per_loan=self.notes_per_loan)


class RuleOut(Schema):
    id: int
    name: str
    enabled: bool
    grades: list[str]
    terms: list[int]
    repayment_methods: list[str]
    purposes: list[str]
    channels: list[str]
    min_rate_bp: int
    amount_per_note: str
    max_per_loan: str
    max_borrower_share_bp: int
    cash_reserve: str
    monthly_cap: str | None
    notes_per_loan: int
    version: int
    created_at: datetime
    updated_at: datetime


class DecisionOut(Schema):
    id: int | None  # None: a round that stopped before reaching the investor (outcome "not_reached")
    business_date: str
    trigger: str
    loan: int
    rule: int | None
    outcome: str
    reason: str
    reason_label: str
    explanation: str
    amount: str
    note: int | None
    params: dict[str, Any]


def rule_out(rule: AutoInvestRule) -> dict[str, Any]:
    return {
        "id": rule.pk, "name": rule.name, "enabled": rule.enabled, "grades": rule.grades, "terms": rule.terms,
        "repayment_methods": rule.repayment_methods, "purposes": rule.purposes, "channels": rule.channels,
        "min_rate_bp": rule.min_rate_bp, "amount_per_note": format_minor(rule.amount_per_note_minor),
        "max_per_loan": format_minor(rule.max_per_loan_minor), "max_borrower_share_bp": rule.max_borrower_share_bp,
        "cash_reserve": format_minor(rule.cash_reserve_minor),
        "monthly_cap": None if rule.monthly_cap_minor is None else format_minor(rule.monthly_cap_minor),
        "notes_per_loan": rule.notes_per_loan, "version": rule.version, "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    }


def decision_out(d: AutoInvestDecision) -> dict[str, Any]:
    return {
        "id": d.pk, "business_date": d.round.business_date.isoformat(), "trigger": d.round.trigger,
        "loan": d.loan_id, "rule": d.rule_id, "outcome": d.outcome, "reason": d.reason,
        "reason_label": str(d.get_reason_display()), "explanation": selectors.explain(d),
        "amount": format_minor(d.amount_minor), "note": d.note_id, "params": d.params or {},
    }


def _investor(request: HttpRequest) -> Any:
    require_role(request.user, Role.INVESTOR)
    return request.user


def _own(request: HttpRequest, rule_id: int) -> AutoInvestRule:
    found = selectors.rules_of(_investor(request)).filter(pk=rule_id).first()
    if found is None:
        raise NotFound(_("auto-invest rule %(id)s does not exist") % {"id": rule_id})
    return found


@router.get("/investing/auto-invest/rules", response=list[RuleOut], auth=api_auth, url_name="autoinvest_rules")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [rule_out(r) for r in selectors.rules_of(_investor(request))]


@router.post("/investing/auto-invest/rules", response={201: RuleOut, API_ERRORS: ApiError}, auth=api_auth,
             url_name="autoinvest_rule_create")
def create_rule(request: HttpRequest, payload: RuleIn) -> Status:
    return Status(201, rule_out(services.create_rule(_investor(request), payload.to_input())))


@router.get("/investing/auto-invest/rules/{rule_id}", response=RuleOut, auth=api_auth, url_name="autoinvest_rule")
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return rule_out(_own(request, rule_id))


@router.put("/investing/auto-invest/rules/{rule_id}", response={200: RuleOut, API_ERRORS: ApiError}, auth=api_auth,
            url_name="autoinvest_rule_update")
def update_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> Status:
    rule = services.update_rule(_investor(request), rule_id, payload.to_input(), version=payload.version)
    return Status(200, rule_out(rule))


@router.delete("/investing/auto-invest/rules/{rule_id}", response={204: None, API_ERRORS: ApiError}, auth=api_auth,
               url_name="autoinvest_rule_delete")
def delete_rule(request: HttpRequest, rule_id: int, version: int | None = Query(None, ge=1)) -> Status:
    services.delete_rule(_investor(request), rule_id, version=version)
    return Status(204, None)


@router.get("/investing/auto-invest/decisions", response=list[DecisionOut], auth=api_auth,
            url_name="autoinvest_decisions")
def decisions(request: HttpRequest, loan: int | None = Query(None, ge=1, le=2**63 - 1)) -> list[dict[str, Any]]:
    investor = _investor(request)
    rows = [decision_out(d) for d in selectors.decisions_of(investor, loan_id=loan)]
    if loan is None:
        return rows
    return [{"id": None, "business_date": r["round"].business_date.isoformat(), "trigger": r["round"].trigger,
             "loan": loan, "rule": None, "outcome": "not_reached", "reason": r["round"].cutoff_reason,
             "reason_label": str(r["label"]), "explanation": r["text"], "amount": format_minor(0), "note": None,
             "params": {"reached": r["round"].reached, "last_reached_share_ppm": r["round"].last_reached_share_ppm}}
            for r in selectors.not_reached(investor, loan)] + rows
