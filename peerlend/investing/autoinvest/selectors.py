"""What an investor sees of auto-invest: their rules and every decision, with a readable reason."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.domain.money import format_grouped
from peerlend.investing.autoinvest.rules import LOAN_FIELDS, matches
from peerlend.investing.models_autoinvest import (
    AutoInvestDecision,
    AutoInvestRound,
    AutoInvestRule,
    CutoffReason,
    DecisionReason,
)
from peerlend.lending.models import Loan

MAX_DECISIONS = 500  # one page of the activity list


def rules_of(investor: User) -> QuerySet[AutoInvestRule]:
    return AutoInvestRule.objects.filter(investor=investor).order_by("id")


def decisions_of(investor: User, *, loan_id: int | None = None, limit: int = MAX_DECISIONS) -> list[AutoInvestDecision]:
    qs = AutoInvestDecision.objects.filter(investor=investor)
    if loan_id is not None:
        qs = qs.filter(loan_id=loan_id)
    return list(qs.select_related("rule", "round").order_by("-id")[:limit])


def _cny(params: dict[str, Any], key: str) -> str:
    return format_grouped(int(params.get(key, 0)))


def explain(decision: AutoInvestDecision) -> str:
    """The reason in words, with the figures behind it ("why was I not invested in loan 123?")."""
    p = decision.params or {}
    r = decision.reason
    if r == DecisionReason.PLACED:
        return _("Bought a note of %(amount)s CNY.") % {"amount": format_grouped(decision.amount_minor)}
    if r == DecisionReason.NOTES_PER_LOAN:
        return _("You already hold %(notes)s note(s) in this loan; the rule allows %(limit)s.") % {
            "notes": p.get("notes", 0), "limit": p.get("limit", 1)}
    if r == DecisionReason.MAX_PER_LOAN:
        return _("You hold %(held)s CNY in this loan; the rule's maximum per loan is %(limit)s CNY.") % {
            "held": _cny(p, "held"), "limit": _cny(p, "limit")}
    if r == DecisionReason.INSUFFICIENT_CASH:
        return _("Your available cash (%(available)s CNY) is less than one note.") % {
            "available": _cny(p, "available")}
    if r == DecisionReason.CASH_RESERVE:
        return _("Your available cash is %(available)s CNY and the rule keeps %(reserve)s CNY uninvested.") % {
            "available": _cny(p, "available"), "reserve": _cny(p, "reserve")}
    if r == DecisionReason.BORROWER_CONCENTRATION:
        return _("You hold %(held)s CNY with this borrower; the rule allows %(limit)s CNY "
                 "(%(share)s%% of your account).") % {
            "held": _cny(p, "held"), "limit": _cny(p, "limit"),
            "share": f"{int(p.get('share_bp', 0)) / 100:g}"}
    if r == DecisionReason.MONTHLY_CAP:
        return _("Auto-invested this month: %(used)s CNY of the monthly cap of %(limit)s CNY.") % {
            "used": _cny(p, "used"), "limit": _cny(p, "limit")}
    if r == DecisionReason.LOAN_ROOM:
        return _("Investors ahead of you in the fair order took the part open to auto-invest; the last part "
                 "of each loan is left to manual investors.")
    if "message" in p:  # a refused check: its own message says what to do
        return str(p["message"])
    return str(decision.get_reason_display())


def decision_rows(decisions: list[AutoInvestDecision]) -> list[dict[str, Any]]:
    """Decisions with their label and explanation, for the page and the API."""
    return [{"decision": d, "label": d.get_reason_display(), "text": explain(d)} for d in decisions]


def not_reached(investor: User, loan_id: int) -> list[dict[str, Any]]:
    """The rounds on ``loan_id`` that stopped before reaching this investor, explained.

    A round records no row for the candidates its walk down the fair order never reached, only the
    cut-off (``AutoInvestRound.reached``, ``cutoff_reason``, ``last_reached_share_ppm``). A round counts
    here when it has a cut-off, holds no decision of this investor, and one of their enabled rules
    wants the loan (their rules as they are now: a rule changed since may have read differently).
    """
    loan = Loan.objects.filter(pk=loan_id).only(*LOAN_FIELDS).first()
    if loan is None:
        return []
    wanted = [r for r in AutoInvestRule.objects.filter(investor=investor, enabled=True).values() if matches(r, loan)]
    if not wanted:
        return []
    first_rule = min(r["created_at"] for r in wanted)
    rounds = (AutoInvestRound.objects.filter(loan_id=loan_id, started_at__gte=first_rule)
              .exclude(cutoff_reason="").exclude(decisions__investor=investor).order_by("-id"))
    return [{"round": rnd, "label": rnd.get_cutoff_reason_display(), "text": explain_cutoff(rnd)} for rnd in rounds]


def explain_cutoff(rnd: AutoInvestRound) -> str:
    if rnd.cutoff_reason == CutoffReason.NOT_LISTED:
        return _("The loan closed after %(reached)s investor(s) ahead of you in the fair order had been served.") % {
            "reached": rnd.reached}
    share = "" if rnd.last_reached_share_ppm is None else f"{rnd.last_reached_share_ppm / 10_000:.2f}"
    return _("Investors are served from the highest share of idle cash down. This round served %(reached)s "
             "investor(s), down to an idle-cash share of %(share)s%%, before the part open to auto-invest was "
             "taken; your share was lower (or equal, and after them in the tie order). The last part of each loan "
             "is left to manual investors.") % {"reached": rnd.reached, "share": share}
