"""Placing many investors' notes in one listing at once (auto-invest rounds), under manual investing's rules.

A manual note (``funding._place_note``) takes one transaction; a round of automatic notes takes one
transaction per batch of investors with the same invariants:

* each investor passes the same checks first (:func:`check_investor`: KYC, investor role, note unit,
  investment limits, own loan, the registered suitability checks), a batch of investors at once in a
  fixed number of queries (:func:`check_investors`);
* the loan row is locked once per batch and read: the batch never takes more than is left (less
  ``leave_minor``, the part kept for manual investors) and the single conditional UPDATE of
  ``transitions.add_to_listing`` adds the batch total, so the loan can never be oversubscribed;
* every investor's cash is frozen by one ``ledger.post_entries`` call (balanced entries, funds checked
  against the locked balances); an investor whose cash is no longer there is dropped from the batch,
  never the whole batch;
* notices are rows (and outbox rows) in the same transaction; the note that fills the loan
  triggers disbursement after commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role
from peerlend.accounts.selectors import kyc_verified_ids
from peerlend.accounts.services import kyc_required_error, require_kyc, require_role
from peerlend.bulk_sql import create_rows
from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.ledger.models import LedgerAccount
from peerlend.lending import limits as investment_limits
from peerlend.lending.disbursement import disburse_if_funded
from peerlend.lending.invest_checks import run_invest_checks, run_invest_checks_many
from peerlend.lending.models import Loan, Note
from peerlend.lending.service_support import rule
from peerlend.lending.transitions import add_to_listing
from peerlend.notify import Notice, notify_many

_NOTE_FIELDS = ("loan_id", "investor_id", "amount_minor", "auto_invested", "placed_on")

__all__ = ["BatchResult", "Refusal", "WantedNote", "check_investor", "check_investors", "place_batch"]


def _check_amount_and_loan(investor: Any, loan: Any, amount_minor: int) -> None:
    unit = rule("NOTE_UNIT_MINOR")
    if amount_minor <= 0 or amount_minor % unit:
        raise ApplicationError(
            _("invest in multiples of %(unit)s CNY (minimum %(unit)s CNY)") % {"unit": format_minor(unit)},
            code="invalid_note_amount")
    if loan.borrower_id == investor.pk:
        raise PermissionDenied(_("you cannot invest in your own loan"), code="own_loan")


def check_investor(investor: Any, loan: Any, amount_minor: int) -> None:
    """The checks a manual note passes before any money moves (``ApplicationError`` with its code)."""
    require_kyc(investor)
    require_role(investor, Role.INVESTOR)
    _check_amount_and_loan(investor, loan, amount_minor)
    investment_limits.check_investment(investor, amount_minor)
    run_invest_checks(investor, loan)


def check_investors(investors: Sequence[Any], loan: Any, amounts: Mapping[int, int]) -> dict[int, ApplicationError]:
    """:func:`check_investor` of many investors (``amounts`` by id) in a fixed number of queries.

    Each refused investor's error is the one :func:`check_investor` raises for them (same check order,
    same code and message). Load the investors with ``select_related("identity")``.
    """
    refused: dict[int, ApplicationError] = {}
    verified = kyc_verified_ids([investor.pk for investor in investors])
    for investor in investors:
        try:
            if investor.pk not in verified:
                raise kyc_required_error()
            require_role(investor, Role.INVESTOR)
            _check_amount_and_loan(investor, loan, amounts[investor.pk])
        except ApplicationError as exc:
            refused[investor.pk] = exc
    left = [investor for investor in investors if investor.pk not in refused]
    refused.update(investment_limits.check_investments(left, amounts))
    left = [investor for investor in left if investor.pk not in refused]
    if left:
        refused.update(run_invest_checks_many(left, loan))
    return refused


@dataclass(frozen=True)
class WantedNote:
    """A note the caller wants placed (already checked with :func:`check_investor`)."""

    investor_id: int
    amount_minor: int
    tag: Any = None  # the caller's own reference, handed back with the note or the refusal


@dataclass(frozen=True)
class Refusal:
    wanted: WantedNote
    code: str
    params: dict[str, int] = field(default_factory=dict)


@dataclass
class BatchResult:
    placed: list[tuple[WantedNote, Note]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    status: str = ""
    funded_minor: int = 0
    amount_minor: int = 0


def _locked_available(investor_ids: Sequence[int]) -> dict[int, tuple[LedgerAccount, LedgerAccount, int]]:
    """Each investor's (available, frozen, available balance), the rows locked in id order."""
    accounts = ledger.user_accounts_locked(list(investor_ids))
    return {pk: (a.available, a.frozen, int(a.available.balance_minor)) for pk, a in accounts.items()}


def place_batch(loan_id: int, wanted: Sequence[WantedNote], *, leave_minor: int = 0, auto: bool = True) -> BatchResult:
    """Place ``wanted`` (in order, while they fit) in one transaction; see the module docstring.

    Refusal codes: ``not_listed`` (closed or past its window), ``loan_room`` (no room left above
    ``leave_minor``), ``insufficient_funds`` (the investor's available cash is short now).
    """
    result = BatchResult()
    with transaction.atomic():
        loan = (Loan.objects.select_for_update().filter(pk=loan_id)
                .only("pk", "status", "amount_minor", "funded_minor", "list_expires_on", "borrower_id").first())
        if loan is None:
            result.refused = [Refusal(w, "not_listed") for w in wanted]
            return result
        result.amount_minor = loan.amount_minor
        today = business_date()
        open_ = loan.status == LoanStatus.LISTED and not (loan.list_expires_on and today >= loan.list_expires_on)
        if not open_:
            result.status, result.funded_minor = loan.status, loan.funded_minor
            result.refused = [Refusal(w, "not_listed") for w in wanted]
            return result
        room = loan.amount_minor - loan.funded_minor - leave_minor
        taken: list[WantedNote] = []
        for w in wanted:
            if w.investor_id == loan.borrower_id:
                result.refused.append(Refusal(w, "own_loan"))
            elif w.amount_minor <= room:
                taken.append(w)
                room -= w.amount_minor
            else:
                result.refused.append(Refusal(w, "loan_room", {"room": max(room, 0)}))
        status = _place(loan, taken, result, auto, today)
    if status == LoanStatus.FUNDED:
        disburse_if_funded(loan_id)
    return result


def _drop_short(taken: list[WantedNote], funds: dict[int, tuple[LedgerAccount, LedgerAccount, int]],
                result: BatchResult) -> list[WantedNote]:
    """Keep the notes each investor's locked available balance covers (in order); refuse the rest."""
    spent: dict[int, int] = defaultdict(int)
    kept: list[WantedNote] = []
    for w in taken:
        balance = funds[w.investor_id][2]
        if spent[w.investor_id] + w.amount_minor > balance:
            result.refused.append(Refusal(w, "insufficient_funds",
                                          {"available": balance - spent[w.investor_id]}))
            continue
        spent[w.investor_id] += w.amount_minor
        kept.append(w)
    return kept


def _place(loan: Loan, taken: list[WantedNote], result: BatchResult, auto: bool, today: Any) -> str:
    """Notes, freezes, the loan's funded amount and the notices of ``taken`` (rows locked by the caller)."""
    funds = _locked_available({w.investor_id for w in taken})
    taken = _drop_short(taken, funds, result)
    while True:
        if not taken:
            result.status, result.funded_minor = loan.status, loan.funded_minor
            return loan.status
        try:
            with transaction.atomic():  # a savepoint: a refused freeze takes its notes with it
                notes = create_rows(Note, _NOTE_FIELDS, [
                    (loan.pk, w.investor_id, w.amount_minor, auto, today) for w in taken])
                ledger.post_entries([
                    ledger.EntrySpec(kind="invest_freeze", reference=f"note:{note.pk}",
                                     lines=[(funds[w.investor_id][0], -w.amount_minor),
                                            (funds[w.investor_id][1], w.amount_minor)])
                    for w, note in zip(taken, notes, strict=True)])
                total = sum(w.amount_minor for w in taken)
                status = add_to_listing(loan.pk, total)
                if status is None:  # pragma: no cover - the row is locked and the room was read under the lock
                    raise RuntimeError("the locked listing refused the batch")
                break
        except ApplicationError as exc:
            if exc.code != "insufficient_funds":
                raise
            # Cannot happen while the available rows stay locked; if it does, read again and drop the short.
            before = len(taken)
            funds = _locked_available({w.investor_id for w in taken})
            taken = _drop_short(taken, funds, result)
            if len(taken) == before:
                raise
    result.placed = list(zip(taken, notes, strict=True))
    result.status, result.funded_minor = status, loan.funded_minor + total
    notices = [Notice(w.investor_id, "investment_placed", f"note:{note.pk}",
                      {"loan": loan.pk, "note": note.pk, "amount_minor": w.amount_minor, "auto": auto})
               for w, note in result.placed]
    if status == LoanStatus.FUNDED:
        notices.append(Notice(loan.borrower_id, "loan_funded", f"loan:{loan.pk}",
                              {"loan": loan.pk, "amount_minor": loan.amount_minor}))
    notify_many(notices)
    return status
