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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Sum, When
from django.utils import timezone

from peerlend.accounts.models import User
from peerlend.bulk_sql import chunks, insert_rows
from peerlend.clock import business_date
from peerlend.domain import auto_invest as dom
from peerlend.domain.lifecycle import LoanStatus
from peerlend.investing.autoinvest.matching import matching_rules
from peerlend.investing.autoinvest.rules import LOAN_FIELDS
from peerlend.investing.models_autoinvest import (
    AutoInvestDecision,
    AutoInvestRound,
    AutoInvestRule,
    CutoffReason,
    DecisionOutcome,
    DecisionReason,
)
from peerlend.ledger.models import AccountKind, LedgerAccount
from peerlend.lending.funding_batch import WantedNote, check_investors, place_batch
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.lending.service_support import rule as setting

logger = logging.getLogger("peerlend.investing.autoinvest")

BATCH_SIZE = 200  # investors per placement transaction
_KNOWN_REASONS = frozenset(DecisionReason.values)
_SKIP_FIELDS = ("round_id", "rule_id", "investor_id", "loan_id", "outcome", "reason", "amount_minor", "params",
                "created_at")
_PLACED_FIELDS = (*_SKIP_FIELDS, "note_id")


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
    capped = AutoInvestRule.objects.filter(enabled=True, monthly_cap_minor__isnull=False).values("investor_id")
    out["month"] = _sum_by_investor(  # only the investors with a monthly cap need it
        Note.objects.filter(investor_id__in=capped, auto_invested=True, placed_on__gte=today.replace(day=1))
        .exclude(status=NoteStatus.REFUNDED).values("investor_id").annotate(t=Sum("amount_minor"))
        .values_list("investor_id", "t"))
    for investor_id, total, count in (Note.objects.filter(loan_id=loan.pk).exclude(status=NoteStatus.REFUNDED)
                                      .values("investor_id").annotate(t=Sum("amount_minor"), n=Count("id"))
                                      .values_list("investor_id", "t", "n")):
        out["in_loan"][investor_id] = int(total)
        out["notes_in_loan"][investor_id] = int(count)
    return out


class _Pool:
    """The round's candidates: each investor's matching rules and figures, in fair order on demand.

    A :class:`~peerlend.domain.auto_invest.Candidate` is built only for an investor the walk reaches
    (a round that fills the loan after a few hundred investors never builds the thousands behind them).
    """

    def __init__(self, loan: Loan, rules: list[dict[str, Any]], today: date, skips: dict[int, _Skip]) -> None:
        self.loan = loan
        self.rules: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in rules:
            if r["investor_id"] == loan.borrower_id:
                skips[r["investor_id"]] = _Skip(r["id"], DecisionReason.OWN_LOAN, {})
            else:
                self.rules[r["investor_id"]].append(r)
        self.figures = _figures(loan, today) if self.rules else {}

    def __len__(self) -> int:
        return len(self.rules)

    def _money(self, investor_id: int) -> tuple[int, int, int]:
        f = self.figures
        return (f["available"].get(investor_id, 0), f["frozen"].get(investor_id, 0),
                f["outstanding"].get(investor_id, 0))

    def ordered(self) -> Iterator[int]:
        """Investor ids, highest idle-cash share first (ties by the documented key)."""
        available, frozen, outstanding = (self.figures.get(k, {}) for k in ("available", "frozen", "outstanding"))
        shares = []
        for pk in self.rules:  # thousands of investors per round: plain dict reads, no calls
            cash = available.get(pk, 0)
            shares.append((pk, cash, cash + frozen.get(pk, 0) + outstanding.get(pk, 0)))
        return dom.fair_order_ids(self.loan.pk, shares)

    def candidate(self, investor_id: int, room: int, unit: int) -> dom.Candidate:
        """The investor's first matching rule that leaves a note (by rule id), else their first."""
        available, frozen, outstanding = self._money(investor_id)
        f = self.figures
        options = [dom.Candidate(
            investor_id=investor_id, rule_id=r["id"], available_minor=available, frozen_minor=frozen,
            principal_outstanding_minor=outstanding,
            amount_per_note_minor=r["amount_per_note_minor"], max_per_loan_minor=r["max_per_loan_minor"],
            max_borrower_share_bp=r["max_borrower_share_bp"], cash_reserve_minor=r["cash_reserve_minor"],
            monthly_cap_minor=r["monthly_cap_minor"], notes_per_loan=r["notes_per_loan"],
            held_in_loan_minor=f["in_loan"].get(investor_id, 0),
            notes_in_loan=f["notes_in_loan"].get(investor_id, 0),
            held_with_borrower_minor=f["borrower"].get(investor_id, 0),
            auto_this_month_minor=f["month"].get(investor_id, 0),
        ) for r in self.rules[investor_id]]
        if len(options) == 1:  # the usual case: nothing to choose
            return options[0]
        usable = [c for c in options if dom.size_note(c, room_minor=max(room, unit), unit_minor=unit).amount_minor]
        return usable[0] if usable else options[0]


@dataclass
class _State:
    placed_minor: int = 0
    placed_notes: int = 0
    checked: bool = False
    refused: bool = False


class _Round:
    """The work of one round (kept together so the steps stay short).

    The walk goes down the fair order batch by batch until less than a note is left for auto-invest
    (or the loan closes). The investors it reached get a decision each (placed, or skipped with the
    reason); those it never reached get none: the round keeps the cut-off instead (how many were
    reached, the idle-cash share of the last one, why the walk stopped), which is what the activity
    page shows them. A fresh listing would otherwise write thousands of identical "not reached" rows.
    """

    def __init__(self, rnd: AutoInvestRound, loan: Loan, batch_size: int) -> None:
        self.rnd, self.loan, self.batch_size = rnd, loan, batch_size
        self.unit = setting("NOTE_UNIT_MINOR")
        self.leave = dom.last_part_minor(loan.amount_minor, setting("AUTO_INVEST_LAST_PART_BP"))
        self.state: dict[int, _State] = defaultdict(_State)
        self.skips: dict[int, _Skip] = {}
        self.closed = False
        self.known_room: int | None = None  # the room after the last batch placed
        self.reached = 0
        self.last_reached: dom.Candidate | None = None

    def skip(self, c: dom.Candidate, reason: str, params: dict[str, Any]) -> None:
        if not self.state[c.investor_id].placed_notes:
            self.skips[c.investor_id] = _Skip(c.rule_id, reason, params)

    def run(self, pool: _Pool) -> None:
        order = pool.ordered()
        again: list[dom.Candidate] = []
        while not self.closed:  # first pass: one note each, down the order while room lasts
            room = self._room()
            if self.closed or room < self.unit:
                break
            batch = [pool.candidate(pk, room, self.unit) for pk in islice(order, self.batch_size)]
            if not batch:
                break
            again += self._batch(batch, room)
        pending = again
        while pending and not self.closed:  # further passes: rules that allow more notes per loan
            again = []
            for batch in chunks(pending, self.batch_size):
                room = self._room()
                if self.closed or room < self.unit:
                    break
                again += self._batch(batch, room)
            pending = again

    def _sized(self, batch: list[dom.Candidate], room: int, *, record: bool = False) -> list[tuple[dom.Candidate, int]]:
        """Each candidate's next note in fair order while ``room`` lasts (refused investors left out).

        With ``record`` the candidates considered count as reached and their skips are recorded; the walk
        stops at the first candidate for whom less than a note is left.
        """
        out: list[tuple[dom.Candidate, int]] = []
        for c in batch:
            if room < self.unit:
                break
            if record and not self.state[c.investor_id].placed_notes:
                self.reached += 1
                self.last_reached = c
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
        # Only what the checks read (role, member type): whole users and identities cost more than the checks.
        users = (User.objects.select_related("identity").only("id", "roles", "identity__id", "identity__kind")
                 .in_bulk([c.investor_id for c in candidates]))
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

    def _batch(self, batch: list[dom.Candidate], room: int) -> list[dom.Candidate]:
        """Size, check and place one batch; the candidates that may take another note."""
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
            now = timezone.now()
            for w, note in result.placed:
                c = w.tag
                st = self.state[c.investor_id]
                st.placed_minor += w.amount_minor
                st.placed_notes += 1
                self.skips.pop(c.investor_id, None)
                rows.append((self.rnd.pk, c.rule_id, c.investor_id, self.loan.pk, DecisionOutcome.PLACED.value,
                             DecisionReason.PLACED.value, w.amount_minor, {"amount": w.amount_minor}, now, note.pk))
                if c.notes_per_loan > c.notes_in_loan + st.placed_notes:
                    again.append(c)
            insert_rows(AutoInvestDecision, _PLACED_FIELDS, rows)
        for refusal in result.refused:
            self.skip(refusal.wanted.tag, refusal.code, refusal.params)
        if result.status and result.status != LoanStatus.LISTED:
            self.closed = True
        elif result.amount_minor:
            self.known_room = max(0, result.amount_minor - result.funded_minor - self.leave)
        return again

    def record(self, candidates: int) -> None:
        """The skips (not repeating an investor's previous decision on this loan), the cut-off and totals."""
        # Every earlier decision on this loan, by the loan alone (binding hundreds of investor ids costs more
        # than reading the few decisions a loan has: a repeated skip is never written again).
        previous: dict[int, tuple[int, str]] = {}
        for investor_id, pk, reason in AutoInvestDecision.objects.filter(loan_id=self.loan.pk).exclude(
                round=self.rnd).values_list("investor_id", "id", "reason"):
            if investor_id not in previous or pk > previous[investor_id][0]:
                previous[investor_id] = (pk, reason)
        now = timezone.now()
        insert_rows(AutoInvestDecision, _SKIP_FIELDS, [
            (self.rnd.pk, s.rule_id, investor_id, self.loan.pk, DecisionOutcome.SKIPPED.value, str(s.reason), 0,
             s.params, now)
            for investor_id, s in self.skips.items() if previous.get(investor_id, (0, ""))[1] != s.reason])
        placed = [s for s in self.state.values() if s.placed_notes]
        own = sum(1 for s in self.skips.values() if s.reason == DecisionReason.OWN_LOAN)
        unreached = candidates - own - self.reached
        last = self.last_reached
        AutoInvestRound.objects.filter(pk=self.rnd.pk).update(
            candidates=candidates, placed=sum(s.placed_notes for s in placed), skipped=len(self.skips),
            placed_minor=sum(s.placed_minor for s in placed), reached=self.reached,
            cutoff_reason=("" if unreached <= 0 else
                           CutoffReason.NOT_LISTED if self.closed else CutoffReason.LOAN_ROOM),
            last_reached_share_ppm=(None if last is None or unreached <= 0 else
                                    dom.idle_share_key(last.available_minor, last.portfolio_minor)
                                    * 1_000_000 >> dom.SHARE_KEY_BITS),
            finished_at=timezone.now())
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
    pool = _Pool(loan, matching_rules(loan), today, work.skips)
    candidates = len(pool) + len(work.skips)  # the skips so far are the borrower's own rules
    work.run(pool)
    work.record(candidates)
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


__all__ = ["BATCH_SIZE", "listed_loan_ids", "matching_rules", "on_listing", "run_daily", "run_round"]
