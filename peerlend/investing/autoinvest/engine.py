"""One auto-invest round: the enabled rules that want a listed loan place their notes, fairly.

Order (``peerlend.domain.auto_invest``): highest share of idle cash first, ties by
``sha256("<loan>:<investor>")``. Each investor's first matching rule (by id) that leaves at least one
note unit is used. First pass: one note per investor; further passes only for rules allowing more
notes per loan, while room is left. Auto-invest stops before the last ``AUTO_INVEST_LAST_PART_BP``
of the loan, which is left to manual investors.

Placement goes through ``lending.funding_batch`` in one transaction per batch of investors. Every
placement and every skip is recorded (``AutoInvestDecision``) with its reason and figures; a skip the
same as the investor's previous decision on this loan is not repeated (daily rounds would add one
row per investor and day saying the same).

A round is unique per (loan, business date, trigger): a second run is a no-op. A crash between
batches leaves the placed batches committed and the round unfinished; the next trigger (the daily
run) goes on from there.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Sum, When
from django.utils import timezone

from peerlend.accounts.models import User
from peerlend.bulk_sql import chunks, insert_rows
from peerlend.clock import business_date
from peerlend.domain import auto_invest as dom
from peerlend.domain.lifecycle import LoanStatus
from peerlend.investing.autoinvest.rules import LOAN_FIELDS, matches
from peerlend.investing.models_autoinvest import (
    AutoInvestDecision,
    AutoInvestRound,
    AutoInvestRule,
    DecisionOutcome,
    DecisionReason,
)
from peerlend.ledger.models import AccountKind, LedgerAccount
from peerlend.lending.funding_batch import WantedNote, check_investors, place_batch
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.lending.service_support import rule as setting

logger = logging.getLogger("peerlend.investing.autoinvest")

BATCH_SIZE = 200  # investors per placement transaction
_RULE_FIELDS = ("id", "investor_id", "grades", "terms", "repayment_methods", "purposes", "channels", "min_rate_bp",
                "amount_per_note_minor", "max_per_loan_minor", "max_borrower_share_bp", "cash_reserve_minor",
                "monthly_cap_minor", "notes_per_loan")
_KNOWN_REASONS = frozenset(DecisionReason.values)
_SKIP_FIELDS = ("round_id", "rule_id", "investor_id", "loan_id", "outcome", "reason", "amount_minor", "params",
                "created_at")


@dataclass
class _Skip:
    rule_id: int | None
    reason: str
    params: dict[str, Any]


def _sum_by_investor(rows: Iterable[tuple[int, Any]]) -> dict[int, int]:
    return {int(pk): int(total or 0) for pk, total in rows}


def _figures(loan: Loan, today: date) -> dict[str, dict[int, Any]]:
    """Everything sizing needs about the investors with an enabled rule, in a few set-based reads.

    The investors are given as a subquery, not as a list of ids: a round has thousands of candidates, and
    binding thousands of ids costs more than the sums (investors whose rules do not want the loan are
    summed too, and not used).
    """
    out: dict[str, dict[int, Any]] = {k: {} for k in ("available", "frozen", "outstanding", "in_loan", "notes_in_loan",
                                                      "borrower", "month")}
    scope = AutoInvestRule.objects.filter(enabled=True).values("investor_id")
    live = [NoteStatus.PENDING, NoteStatus.ACTIVE]
    exposure = Case(When(status=NoteStatus.PENDING, then=F("amount_minor")), default=F("principal_outstanding_minor"),
                    output_field=IntegerField())
    for owner, kind, balance in LedgerAccount.objects.filter(
            owner_id__in=scope, kind__in=[AccountKind.AVAILABLE, AccountKind.FROZEN]).values_list(
            "owner_id", "kind", "balance_minor"):
        out["available" if kind == AccountKind.AVAILABLE else "frozen"][owner] = int(balance)
    out["outstanding"] = _sum_by_investor(
        Note.objects.filter(investor_id__in=scope, status=NoteStatus.ACTIVE).values("investor_id")
        .annotate(t=Sum("principal_outstanding_minor")).values_list("investor_id", "t"))
    out["borrower"] = _sum_by_investor(
        Note.objects.filter(investor_id__in=scope, status__in=live, loan__borrower_id=loan.borrower_id)
        .values("investor_id").annotate(t=Sum(exposure)).values_list("investor_id", "t"))
    out["month"] = _sum_by_investor(
        Note.objects.filter(investor_id__in=scope, auto_invested=True, placed_on__gte=today.replace(day=1))
        .exclude(status=NoteStatus.REFUNDED).values("investor_id").annotate(t=Sum("amount_minor"))
        .values_list("investor_id", "t"))
    for investor_id, total, count in (Note.objects.filter(loan_id=loan.pk).exclude(status=NoteStatus.REFUNDED)
                                      .values("investor_id").annotate(t=Sum("amount_minor"), n=Count("id"))
                                      .values_list("investor_id", "t", "n")):
        out["in_loan"][investor_id] = int(total)
        out["notes_in_loan"][investor_id] = int(count)
    return out


def _candidates(loan: Loan, rules: list[dict[str, Any]], today: date, room: int, unit: int,
                skips: dict[int, _Skip]) -> list[dom.Candidate]:
    """One candidate per investor: the first of their matching rules that leaves a note, else the first."""
    by_investor: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rules:
        if r["investor_id"] == loan.borrower_id:
            skips[r["investor_id"]] = _Skip(r["id"], DecisionReason.OWN_LOAN, {})
        else:
            by_investor[r["investor_id"]].append(r)
    figures = _figures(loan, today)
    out: list[dom.Candidate] = []
    for investor_id, own_rules in by_investor.items():
        options = [dom.Candidate(
            investor_id=investor_id, rule_id=r["id"],
            available_minor=figures["available"].get(investor_id, 0),
            frozen_minor=figures["frozen"].get(investor_id, 0),
            principal_outstanding_minor=figures["outstanding"].get(investor_id, 0),
            amount_per_note_minor=r["amount_per_note_minor"], max_per_loan_minor=r["max_per_loan_minor"],
            max_borrower_share_bp=r["max_borrower_share_bp"], cash_reserve_minor=r["cash_reserve_minor"],
            monthly_cap_minor=r["monthly_cap_minor"], notes_per_loan=r["notes_per_loan"],
            held_in_loan_minor=figures["in_loan"].get(investor_id, 0),
            notes_in_loan=figures["notes_in_loan"].get(investor_id, 0),
            held_with_borrower_minor=figures["borrower"].get(investor_id, 0),
            auto_this_month_minor=figures["month"].get(investor_id, 0),
        ) for r in own_rules]
        if len(options) == 1:  # the usual case: nothing to choose
            out.append(options[0])
            continue
        usable = [c for c in options if dom.size_note(c, room_minor=max(room, unit), unit_minor=unit).amount_minor]
        out.append(usable[0] if usable else options[0])
    return out


@dataclass
class _State:
    placed_minor: int = 0
    placed_notes: int = 0
    checked: bool = False
    refused: bool = False


class _Round:
    """The work of one round (kept together so the steps stay short)."""

    def __init__(self, rnd: AutoInvestRound, loan: Loan, batch_size: int) -> None:
        self.rnd, self.loan, self.batch_size = rnd, loan, batch_size
        self.unit = setting("NOTE_UNIT_MINOR")
        self.leave = dom.last_part_minor(loan.amount_minor, setting("AUTO_INVEST_LAST_PART_BP"))
        self.state: dict[int, _State] = defaultdict(_State)
        self.skips: dict[int, _Skip] = {}
        self.closed = False
        self.known_room: int | None = None  # the room after the last batch placed

    def skip(self, c: dom.Candidate, reason: str, params: dict[str, Any]) -> None:
        if not self.state[c.investor_id].placed_notes:
            self.skips[c.investor_id] = _Skip(c.rule_id, reason, params)

    def run(self, candidates: list[dom.Candidate]) -> None:
        pending = dom.fair_order(self.loan.pk, candidates)
        while pending and not self.closed:
            again: list[dom.Candidate] = []
            for batch in chunks(pending, self.batch_size):
                again += self._batch(batch)
            pending = again
        self.skips.update({c.investor_id: _Skip(c.rule_id, DecisionReason.NOT_LISTED, {})
                           for c in candidates if self.closed and not self.state[c.investor_id].placed_notes
                           and c.investor_id not in self.skips})

    def _sized(self, batch: list[dom.Candidate], room: int, *, record: bool = False) -> list[tuple[dom.Candidate, int]]:
        """Each candidate's next note in fair order while ``room`` lasts (refused investors left out)."""
        out: list[tuple[dom.Candidate, int]] = []
        if room < self.unit and not record:  # no note fits: only the skips' reasons need each candidate
            return out
        for c in batch:
            st = self.state[c.investor_id]
            if st.refused:
                continue
            size = dom.size_note(c, room_minor=room, unit_minor=self.unit, placed_minor=st.placed_minor,
                                 placed_notes=st.placed_notes)
            if not size.amount_minor:
                if record:
                    self.skip(c, size.reason, size.params)
                continue
            out.append((c, size.amount_minor))
            room -= size.amount_minor
        return out

    def _check(self, candidates: list[dom.Candidate]) -> None:
        """Manual investing's checks, for the whole list at once; a refused investor is skipped with the code."""
        users = User.objects.select_related("identity").in_bulk([c.investor_id for c in candidates])
        refused = check_investors([users[c.investor_id] for c in candidates], self.loan,
                                  {c.investor_id: c.amount_per_note_minor for c in candidates})
        for c in candidates:
            st = self.state[c.investor_id]
            exc = refused.get(c.investor_id)
            if exc is None:
                st.checked = True
                continue
            reason = exc.code if exc.code in _KNOWN_REASONS else DecisionReason.REFUSED
            self.skip(c, reason, {"code": exc.code, "message": exc.message})
            st.refused = True

    def _room(self) -> int:
        # Once less than a note is left the rest of the round cannot place one (the room only shrinks):
        # the figure already known answers without reading the loan again.
        if self.known_room is not None and self.known_room < self.unit:
            return self.known_room
        row = Loan.objects.filter(pk=self.loan.pk).values_list("amount_minor", "funded_minor", "status").first()
        if row is None or row[2] != LoanStatus.LISTED:
            self.closed = True
            return 0
        return max(0, row[0] - row[1] - self.leave)

    def _batch(self, batch: list[dom.Candidate]) -> list[dom.Candidate]:
        """Size, check and place one batch; the candidates that may take another note."""
        room = self._room()
        if self.closed:
            return []
        # The checks of the investors who would get a note (checked once per round each), all at once; then
        # the sizes again without those refused, so a refusal leaves its room to the next in line (who is
        # checked in turn).
        while unchecked := [c for c, _amount in self._sized(batch, room) if not self.state[c.investor_id].checked]:
            self._check(unchecked)
        wanted = [WantedNote(c.investor_id, amount, tag=c) for c, amount in self._sized(batch, room, record=True)]
        if not wanted:
            return []
        with transaction.atomic():
            result = place_batch(self.loan.pk, wanted, leave_minor=self.leave)
            rows = []
            again: list[dom.Candidate] = []
            for w, note in result.placed:
                c = w.tag
                st = self.state[c.investor_id]
                st.placed_minor += w.amount_minor
                st.placed_notes += 1
                self.skips.pop(c.investor_id, None)
                rows.append(AutoInvestDecision(
                    round=self.rnd, rule_id=c.rule_id, investor_id=c.investor_id, loan_id=self.loan.pk,
                    outcome=DecisionOutcome.PLACED, reason=DecisionReason.PLACED, amount_minor=w.amount_minor,
                    note=note, params={"amount": w.amount_minor}))
                if c.notes_per_loan > c.notes_in_loan + st.placed_notes:
                    again.append(c)
            AutoInvestDecision.objects.bulk_create(rows)
        for refusal in result.refused:
            self.skip(refusal.wanted.tag, refusal.code, refusal.params)
        if result.status and result.status != LoanStatus.LISTED:
            self.closed = True
        elif result.amount_minor:
            self.known_room = max(0, result.amount_minor - result.funded_minor - self.leave)
        return again

    def record(self, candidates: int) -> None:
        """The skips (not repeating an investor's previous decision on this loan) and the round's totals."""
        # Every earlier decision on this loan, by the loan alone (binding thousands of investor ids costs more
        # than reading the few decisions a loan has: a repeated skip is never written again).
        previous: dict[int, tuple[int, str]] = {}
        for investor_id, pk, reason in AutoInvestDecision.objects.filter(loan_id=self.loan.pk).exclude(
                round=self.rnd).values_list("investor_id", "id", "reason"):
            if investor_id not in previous or pk > previous[investor_id][0]:
                previous[investor_id] = (pk, reason)
        # A fresh listing's round skips nearly every investor: the rows go in as plain tuples (one COPY).
        now = timezone.now()
        insert_rows(AutoInvestDecision, _SKIP_FIELDS, [
            (self.rnd.pk, s.rule_id, investor_id, self.loan.pk, DecisionOutcome.SKIPPED.value, str(s.reason), 0,
             s.params, now)
            for investor_id, s in self.skips.items() if previous.get(investor_id, (0, ""))[1] != s.reason])
        placed = [s for s in self.state.values() if s.placed_notes]
        AutoInvestRound.objects.filter(pk=self.rnd.pk).update(
            candidates=candidates, placed=sum(s.placed_notes for s in placed), skipped=len(self.skips),
            placed_minor=sum(s.placed_minor for s in placed), finished_at=timezone.now())
        self.rnd.refresh_from_db()


def run_round(loan_id: int, trigger: str, *, batch_size: int = BATCH_SIZE) -> AutoInvestRound | None:
    """Apply every enabled rule to listed loan ``loan_id``; None when the loan is not open for investment.

    Returns the round (the existing one, untouched, when this trigger already ran today).
    """
    today = business_date()
    loan = Loan.objects.filter(pk=loan_id).only(*LOAN_FIELDS).first()
    if loan is None or loan.status != LoanStatus.LISTED or (loan.list_expires_on and today >= loan.list_expires_on):
        return None
    try:
        with transaction.atomic():
            rnd = AutoInvestRound.objects.create(loan_id=loan_id, business_date=today, trigger=trigger)
    except IntegrityError:  # this round already ran (or runs elsewhere): idempotent
        return AutoInvestRound.objects.get(loan_id=loan_id, business_date=today, trigger=trigger)
    work = _Round(rnd, loan, batch_size)
    rules = [r for r in AutoInvestRule.objects.filter(enabled=True).values(*_RULE_FIELDS) if matches(r, loan)]
    room = max(0, loan.amount_minor - loan.funded_minor - work.leave)
    candidates = _candidates(loan, rules, today, room, work.unit, work.skips)
    work.run(candidates)
    work.record(len(candidates) + sum(1 for s in work.skips.values() if s.reason == DecisionReason.OWN_LOAN))
    return rnd


def listed_loan_ids(today: date) -> list[int]:
    """Listed loans still inside their funding window (the daily run's rounds)."""
    return list(Loan.objects.filter(status=LoanStatus.LISTED, list_expires_on__gt=today).order_by("id")
                .values_list("id", flat=True))


def run_daily(today: date, chunk_size: int = 0) -> int:
    """The ``auto_invest`` step of run-day: a round on every open listing; the number of rounds run."""
    count = 0
    for loan_id in listed_loan_ids(today):
        if run_round(loan_id, "daily") is not None:
            count += 1
    return count


def on_listing(loan_id: int) -> None:
    """The listing hook: a failure is logged, never raised into the officer's approval (already committed);
    the daily run takes the loan up again."""
    try:
        run_round(loan_id, "listing")
    except Exception:
        logger.exception("auto-invest round for loan %s failed", loan_id)


__all__ = ["BATCH_SIZE", "listed_loan_ids", "on_listing", "run_daily", "run_round"]
