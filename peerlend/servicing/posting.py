"""Posting a servicing payment: the accounts it touches, its ledger lines, its row, and saving the loan book.

Every money movement of a serviced loan is one balanced ledger entry plus one ``ServicingPayment``
row; the funds checks are the ledger's (``ledger.check_funds``, ``ledger.post_entries``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from peerlend.accounts.models import User
from peerlend.bulk_sql import bulk_set
from peerlend.domain.repayment import Applied
from peerlend.ledger import services as ledger
from peerlend.ledger.models import LedgerAccount
from peerlend.lending.models import Loan, Note
from peerlend.servicing import notices
from peerlend.servicing.distribution import NOTE_FIELDS, NotePlan, plan_distribution
from peerlend.servicing.distribution_hooks import run_distribution_hooks
from peerlend.servicing.installments import INSTALLMENT_FIELDS, apply_to_installments
from peerlend.servicing.models import Installment, ServicingPayment


class Accounts:
    """Ledger accounts of a chunk's users, loaded in one query (created only when missing).

    ``deferred=True`` (the daily batch): the accounts are locked up front, in id order, with the
    platform accounts the batch credits, so the balances read are the ones the entries will post
    against; entries are then queued by :meth:`post` (their amounts applied to the in-memory
    balances at once, so later decisions in the chunk see them) and written together by
    :meth:`flush` with ``ledger.post_entries``, which updates each account once per chunk.
    """

    LOCKED_PLATFORM = ("fee_income", "risk_reserve")

    def __init__(self, user_ids: Iterable[int], *, deferred: bool = False) -> None:
        ids = set(user_ids)
        codes = [f"user:{pk}:available" for pk in ids]
        self._platform: dict[str, LedgerAccount] = {}
        self.by_user: dict[int, LedgerAccount] = {}
        self._queue: list[tuple[ledger.EntrySpec, ServicingPayment]] | None = [] if deferred else None
        qs = LedgerAccount.objects.all()
        if deferred:
            codes += [f"platform:{code}" for code in self.LOCKED_PLATFORM]
            qs = qs.select_for_update().order_by("pk")
        for account in qs.filter(code__in=codes):
            if account.owner_id is None:
                self._platform[account.code.removeprefix("platform:")] = account
            else:
                self.by_user[account.owner_id] = account

    @property
    def deferred(self) -> bool:
        return self._queue is not None

    def available(self, user_id: int) -> LedgerAccount:
        if user_id not in self.by_user:
            self.by_user[user_id] = ledger.user_accounts(User(pk=user_id)).available
        return self.by_user[user_id]

    def platform(self, code: str) -> LedgerAccount:
        if code not in self._platform:
            self._platform[code] = ledger.platform_account(code)
        return self._platform[code]

    def post(self, spec: ledger.EntrySpec, payment: ServicingPayment) -> None:
        """Post the payment's entry now, or queue it (deferred) until :meth:`flush`.

        Raises ``insufficient_funds`` either way when a guarded account cannot pay.
        """
        if self._queue is None:
            payment.entry = ledger.post_entries([spec])[0]
            return
        merged: dict[int, int] = defaultdict(int)
        objects: dict[int, LedgerAccount] = {}
        for account, amount in spec.lines:
            merged[account.pk] += amount
            objects[account.pk] = account
        for pk in sorted(merged):
            ledger.check_funds(objects[pk], objects[pk].balance_minor, merged[pk])
        for pk, amount in merged.items():
            objects[pk].balance_minor += amount
        self._queue.append((spec, payment))

    def flush(self) -> None:
        """Post the queued entries in one step and link each payment to its entry."""
        if not self._queue:
            return
        entries = ledger.post_entries([spec for spec, _payment in self._queue])
        for (_spec, payment), entry in zip(self._queue, entries, strict=True):
            payment.entry = entry
        self._queue.clear()


def entry_lines(
    accounts: Accounts, payer: LedgerAccount, amount: int, plan: NotePlan | None, applied: Applied
) -> list[tuple[LedgerAccount, int]]:
    """The payer pays ``amount``: each holder its net, fee income the fees, the reserve its claim."""
    lines: list[tuple[LedgerAccount, int]] = [(payer, -amount)]
    fee_income = applied.late_fee + (plan.fee_total if plan else 0)
    if plan:
        lines += [(accounts.available(uid), net) for uid, net in sorted(plan.net_by_investor().items()) if net]
    if fee_income:
        lines.append((accounts.platform("fee_income"), fee_income))
    if applied.to_reserve:
        lines.append((accounts.platform("risk_reserve"), applied.to_reserve))
    return lines


def record_payment(
    loan: Loan, kind: str, amount: int, applied: Applied, plan: NotePlan | None, today: date,
    payer: User | None, actor: User | None,
) -> ServicingPayment:
    """The payment row; its ``entry`` is set when the entry is posted (``Accounts.post``)."""
    payment = ServicingPayment(
        loan_id=loan.pk, kind=kind, payer=payer, actor=actor, amount_minor=amount,
        principal_to_notes_minor=applied.principal_to_notes, interest_to_notes_minor=applied.interest_to_notes,
        service_fee_minor=plan.fee_total if plan else 0, late_fee_minor=applied.late_fee,
        to_reserve_minor=applied.to_reserve, business_date=today,
    )
    payment.plan = plan  # type: ignore[attr-defined]  # not stored: save_changes tells each investor their part
    return payment


def collect_from_borrower(
    loan: Loan, installments: Sequence[Installment], notes: Sequence[Note], amount: int, today: date,
    accounts: Accounts, *, kind: str, actor: User | None = None, preapplied: Applied | None = None,
) -> ServicingPayment | None:
    """Take ``amount`` (at most what the given installments owe) from the borrower and distribute it.

    One balanced ledger entry; mutates the installments and notes in memory (callers save them).
    ``preapplied`` is a part the caller already booked on the schedule (a prepaid principal).
    """
    if amount <= 0:
        return None
    pre = preapplied or Applied()
    applied = apply_to_installments(installments, amount - pre.total, today)
    applied = applied + Applied(principal_to_notes=pre.principal_to_notes, interest_to_notes=pre.interest_to_notes)
    if applied.total != amount:
        raise ValueError(f"tried to collect {amount} but only {applied.total} is owed")
    plan = plan_distribution(notes, applied.principal_to_notes, applied.interest_to_notes)
    payer = accounts.available(loan.borrower_id)
    payment = record_payment(loan, kind, amount, applied, plan, today, User(pk=loan.borrower_id), actor)
    accounts.post(ledger.EntrySpec(
        kind=kind, lines=entry_lines(accounts, payer, amount, plan, applied), reference=f"loan:{loan.pk}",
        business_date=today, memo=f"{kind} of loan {loan.pk}",
    ), payment)
    if plan:
        plan.apply()
    return payment


def save_changes(installments: Iterable[Installment], notes: Iterable[Note],
                 payments: Iterable[ServicingPayment | None]) -> None:
    """Write back the installments and notes a use case changed, and store its payments."""
    bulk_set(Installment, list(installments), INSTALLMENT_FIELDS)
    bulk_set(Note, list(notes), NOTE_FIELDS)
    saved = ServicingPayment.objects.bulk_create([p for p in payments if p is not None])
    run_distribution_hooks(saved)  # e.g. a rate-boost coupon's extra interest (marketing registers it)
    notices.repayments_received(saved)
