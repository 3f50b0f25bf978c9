"""Use cases of loan servicing that change state; each is atomic.

Money rules (documented here and in the report; settings in ``settings.PEERLEND``):

* **Allocation order** of any borrower payment: installments oldest first, and within one
  installment penalty interest -> late fee -> interest -> principal. A regular repayment may
  cover everything due up to today plus the next installment (paying ahead); more is a
  prepayment. Whatever is not owed stays in the borrower's available balance.
* **Where the money goes**: interest and penalty interest go to the note holders (penalty is
  interest on their overdue principal), principal to the holders, the late fee to the
  platform's ``fee_income``. Of everything the holders receive, the investor service fee
  (``INVESTOR_SERVICE_FEE_RATE``, 1 %) goes to ``fee_income``. Amounts are split over the
  loan's notes by outstanding principal with ``domain.allocation.allocate`` (principal and
  interest separately, then the fee over each note's gross part), so every part sums exactly.
* **Risk reserve** (``GUARANTEE_MODE = "risk_reserve"``): an installment overdue more than
  ``COMPENSATION_DAYS`` is paid to the holders by the reserve (代偿); the reserve takes the
  claim, so the borrower's later payments of that installment's principal, interest and
  penalty repay the reserve (oldest-first allocation makes that "reserve first"). The reserve
  never goes negative: ``post_entry`` refuses it, the compensation waits in
  ``CompensationPending`` and is disclosed, and the batch retries it daily.
* Every money movement is one balanced ledger entry plus one ``ServicingPayment`` row; the
  audit checks in ``servicing.checks`` prove cash in = cash out per loan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.domain.allocation import allocate
from peerlend.domain.lifecycle import IllegalTransition, LoanStatus, check_transition
from peerlend.domain.money import format_minor
from peerlend.domain.schedule import (
    build_schedule,
    daily_interest_minor,
)
from peerlend.domain_errors import domain_message
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.ledger.models import LedgerAccount
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing import notices, receipts
from peerlend.servicing.models import (
    CompensationPending,
    Installment,
    InstallmentStatus,
    PaymentKind,
    ServicingPayment,
)

SERVICED = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)
CLOSED = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)
INSTALLMENT_FIELDS = [
    "principal_paid_minor", "interest_paid_minor", "late_fee_minor", "late_fee_paid_minor", "penalty_minor",
    "penalty_paid_minor", "status", "paid_on", "penalty_through", "compensated_on", "compensated_principal_minor",
    "compensated_interest_minor", "reserve_repaid_minor",
]
NOTE_FIELDS = [
    "principal_outstanding_minor", "principal_received_minor", "interest_received_minor", "fees_paid_minor",
    "charged_off_minor", "status",
]


# ---------------------------------------------------------------- rules


def rule_int(name: str) -> int:
    return int(settings.PEERLEND[name])


def rule_rate(name: str) -> Decimal:
    return Decimal(str(settings.PEERLEND[name]))


def guarantee_mode() -> str:
    mode = str(settings.PEERLEND.get("GUARANTEE_MODE", "none"))
    if mode not in ("none", "risk_reserve"):
        raise ValueError(f"GUARANTEE_MODE must be none or risk_reserve, not {mode!r}")
    return mode


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reserve_share_minor(fee_minor: int) -> int:
    """The part of an origination fee that funds the risk reserve (0 unless in risk_reserve mode)."""
    if guarantee_mode() != "risk_reserve" or fee_minor <= 0:
        return 0
    return min(fee_minor, _half_up(Decimal(fee_minor) * rule_rate("RESERVE_SHARE_OF_FEE")))


def late_fee_for(unpaid_installment_minor: int) -> int:
    """max(LATE_FEE_RATE x the unpaid installment, LATE_FEE_MIN_MINOR), charged once per installment."""
    return max(_half_up(Decimal(unpaid_installment_minor) * rule_rate("LATE_FEE_RATE")), rule_int("LATE_FEE_MIN_MINOR"))


def penalty_for(overdue_principal_minor: int, days: int) -> int:
    """Penalty interest on overdue principal for ``days`` days (daily rate, actual/365 via the domain core)."""
    if overdue_principal_minor <= 0 or days <= 0:
        return 0
    annual = rule_rate("PENALTY_DAILY_RATE") * 365
    return daily_interest_minor(overdue_principal_minor, annual, days)


# ---------------------------------------------------------------- schedule


def create_schedule(loan: Loan, *, start: date) -> list[Installment]:
    """Write the loan's repayment schedule from the domain core (called once, at disbursement)."""
    if Installment.objects.filter(loan=loan).exists():
        raise ValueError(f"loan {loan.pk} already has a schedule")
    assert loan.annual_rate is not None, "a loan is priced before it is disbursed"
    rows = [
        Installment(
            loan=loan,
            number=i.number,
            due_date=i.due_date,
            principal_minor=i.principal,
            interest_minor=i.interest,
        )
        for i in build_schedule(loan.amount_minor, loan.annual_rate, loan.term_months, loan.repayment_method, start)
    ]
    assert sum(r.principal_minor for r in rows) == loan.amount_minor
    return Installment.objects.bulk_create(rows)


def unpaid_principal(i: Installment) -> int:
    return i.principal_minor - i.principal_paid_minor


def unpaid_interest(i: Installment) -> int:
    return i.interest_minor - i.interest_paid_minor


def days_past_due(installments: Iterable[Installment], today: date) -> int:
    """Days since the oldest installment that is due and not fully paid (0 when up to date)."""
    oldest = min((i.due_date for i in installments if i.due_date < today and i.due_minor > 0), default=None)
    return (today - oldest).days if oldest else 0


def owed_minor(installments: Sequence[Installment], today: date, *, ahead: bool) -> int:
    return sum(i.due_minor for i in _payable(installments, today, ahead=ahead))


def _payable(installments: Sequence[Installment], today: date, *, ahead: bool) -> list[Installment]:
    """Installments a payment may go to, oldest first: all due by today, plus the next one when ``ahead``."""
    out = [i for i in installments if i.due_date <= today and i.due_minor > 0]
    if ahead:
        # Only the installment of the current period; paying further ahead is a prepayment.
        nxt = next((i for i in installments if i.due_date > today), None)
        if nxt is not None and nxt.due_minor > 0:
            out.append(nxt)
    return out


# ---------------------------------------------------------------- the money core (in memory)


@dataclass
class Applied:
    """What one payment did to the schedule, by destination."""

    principal_to_notes: int = 0
    interest_to_notes: int = 0
    late_fee: int = 0
    to_reserve: int = 0

    @property
    def total(self) -> int:
        return self.principal_to_notes + self.interest_to_notes + self.late_fee + self.to_reserve


def apply_to_installments(installments: Sequence[Installment], amount: int, today: date) -> Applied:
    """Apply ``amount`` oldest installment first, penalty -> late fee -> interest -> principal.

    Mutates the installments (paid fields, status, reserve_repaid). Parts of a compensated
    installment other than the late fee go to the reserve, which holds that claim.
    """
    out = Applied()
    left = amount
    for inst in installments:
        if left <= 0:
            break
        compensated = inst.compensated_on is not None
        for paid_field, owed in (
            ("penalty_paid_minor", inst.penalty_minor - inst.penalty_paid_minor),
            ("late_fee_paid_minor", inst.late_fee_minor - inst.late_fee_paid_minor),
            ("interest_paid_minor", unpaid_interest(inst)),
            ("principal_paid_minor", unpaid_principal(inst)),
        ):
            take = min(left, owed)
            if take <= 0:
                continue
            setattr(inst, paid_field, getattr(inst, paid_field) + take)
            left -= take
            if paid_field == "late_fee_paid_minor":
                out.late_fee += take
            elif compensated:
                out.to_reserve += take
                inst.reserve_repaid_minor += take
            elif paid_field == "principal_paid_minor":
                out.principal_to_notes += take
            else:
                out.interest_to_notes += take
        _refresh_status(inst, today)
    return out


def _refresh_status(inst: Installment, today: date) -> None:
    if inst.due_minor == 0:
        inst.status = InstallmentStatus.PAID
        inst.paid_on = inst.paid_on or today
    elif inst.status == InstallmentStatus.WRITTEN_OFF:
        return
    elif inst.due_date < today:
        inst.status = InstallmentStatus.OVERDUE
    elif inst.principal_paid_minor or inst.interest_paid_minor:
        inst.status = InstallmentStatus.PARTIAL


@dataclass
class NotePlan:
    """Per-note parts of one distribution (computed first, applied after the entry posts)."""

    notes: list[Note]
    principal: list[int]
    interest: list[int]
    fee: list[int]
    charged_off: bool

    @property
    def fee_total(self) -> int:
        return sum(self.fee)

    def net_by_investor(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for n, p, i, f in zip(self.notes, self.principal, self.interest, self.fee, strict=True):
            out[n.investor_id] += p + i - f
        return out

    def apply(self) -> None:
        for n, p, i, f in zip(self.notes, self.principal, self.interest, self.fee, strict=True):
            if self.charged_off:
                n.charged_off_minor -= p  # a recovery shrinks the loss written off
            else:
                n.principal_outstanding_minor -= p
            n.principal_received_minor += p
            n.interest_received_minor += i
            n.fees_paid_minor += f


def plan_distribution(notes: Sequence[Note], principal: int, interest: int) -> NotePlan | None:
    """Split principal and interest over the notes by outstanding principal, then the service fee.

    After a charge-off (recoveries) the weights are the principal each note wrote off.
    """
    if principal == 0 and interest == 0:
        return None
    notes = sorted(notes, key=lambda n: n.pk)  # tie-break of allocate: note id
    weights = [n.principal_outstanding_minor for n in notes]
    charged_off = False
    if not any(weights):
        weights = [n.charged_off_minor for n in notes]
        charged_off = True
    if not any(weights):
        weights = [n.amount_minor for n in notes]
        charged_off = False
        if principal:
            raise ValueError("principal paid on a loan whose notes have none outstanding")
    p_parts = allocate(principal, weights) if principal else [0] * len(notes)
    i_parts = allocate(interest, weights) if interest else [0] * len(notes)
    gross = [p + i for p, i in zip(p_parts, i_parts, strict=True)]
    fee_total = _half_up(Decimal(sum(gross)) * rule_rate("INVESTOR_SERVICE_FEE_RATE"))
    fee_parts = allocate(fee_total, gross) if fee_total else [0] * len(notes)
    return NotePlan(list(notes), p_parts, i_parts, fee_parts, charged_off)


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


def _lines(
    accounts: Accounts, payer: LedgerAccount, amount: int, plan: NotePlan | None, applied: Applied
) -> list[tuple[LedgerAccount, int]]:
    lines: list[tuple[LedgerAccount, int]] = [(payer, -amount)]
    fee_income = applied.late_fee + (plan.fee_total if plan else 0)
    if plan:
        lines += [(accounts.available(uid), net) for uid, net in sorted(plan.net_by_investor().items()) if net]
    if fee_income:
        lines.append((accounts.platform("fee_income"), fee_income))
    if applied.to_reserve:
        lines.append((accounts.platform("risk_reserve"), applied.to_reserve))
    return lines


def _record(
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
    payment.plan = plan  # type: ignore[attr-defined]  # not stored: _save tells each investor their part
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
    applied.principal_to_notes += pre.principal_to_notes
    applied.interest_to_notes += pre.interest_to_notes
    if applied.total != amount:
        raise ValueError(f"tried to collect {amount} but only {applied.total} is owed")
    plan = plan_distribution(notes, applied.principal_to_notes, applied.interest_to_notes)
    payer = accounts.available(loan.borrower_id)
    payment = _record(loan, kind, amount, applied, plan, today, User(pk=loan.borrower_id), actor)
    accounts.post(ledger.EntrySpec(
        kind=kind, lines=_lines(accounts, payer, amount, plan, applied), reference=f"loan:{loan.pk}",
        business_date=today, memo=f"{kind} of loan {loan.pk}",
    ), payment)
    if plan:
        plan.apply()
    return payment


# ---------------------------------------------------------------- status


def set_status(loan: Loan, target: LoanStatus, **fields: Any) -> None:
    """Move a loan through the state machine, compare-and-set on (status, version)."""
    try:
        check_transition(LoanStatus(loan.status), target)
    except IllegalTransition as exc:
        raise Conflict(domain_message(exc), code="illegal_transition") from exc
    updated = Loan.objects.filter(pk=loan.pk, status=loan.status, version=loan.version).update(
        status=target, version=F("version") + 1, **fields
    )
    if updated != 1:
        raise Conflict(_("the loan changed meanwhile; reload the page and try again"), code="stale")
    loan.status = target
    loan.version += 1
    for name, value in fields.items():
        setattr(loan, name, value)


def settle_status(loan: Loan, installments: Sequence[Installment], notes: Sequence[Note], today: date,
                  *, prepaid: bool = False) -> None:
    """After money came in: close a fully repaid loan, bring a late loan back to current."""
    principal = sum(n.principal_outstanding_minor for n in notes if n.status == NoteStatus.ACTIVE)
    if loan.status == LoanStatus.CHARGED_OFF:
        return
    if all(i.due_minor == 0 for i in installments):
        for n in notes:
            if n.status == NoteStatus.ACTIVE:
                n.status = NoteStatus.PAID
        set_status(loan, LoanStatus.PREPAID if prepaid else LoanStatus.FULLY_PAID, closed_on=today,
                   principal_outstanding_minor=0)
        return
    if loan.principal_outstanding_minor != principal:
        Loan.objects.filter(pk=loan.pk).update(principal_outstanding_minor=principal)
        loan.principal_outstanding_minor = principal
    if loan.status == LoanStatus.LATE and days_past_due(installments, today) == 0:
        set_status(loan, LoanStatus.CURRENT)


def bulk_set(model: Any, objs: Sequence[Any], fields: Sequence[str], batch: int = 2000) -> None:
    """Write ``fields`` of many rows in one statement per batch: ``WITH v(...) AS (VALUES ...) UPDATE ... FROM v``.

    Django's ``bulk_update`` builds a CASE expression per row and field in Python, which costs far
    more than the database work at batch sizes; this is the same update, set-based.
    """
    if not objs:
        return
    table = model._meta.db_table
    cols = [model._meta.get_field(f) for f in fields]
    q = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    names = ", ".join(["id", *(q(c.column) for c in cols)])
    sets = ", ".join(
        f"{q(c.column)} = " + (f"CAST(v.{q(c.column)} AS {c.db_type(connection)})" if pg else f"v.{q(c.column)}")
        for c in cols
    )
    row_sql = "(" + ", ".join(["%s"] * (len(cols) + 1)) + ")"
    size = max(1, min(batch, 30000 // (len(cols) + 1)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            part = objs[start:start + size]
            params: list[Any] = []
            for obj in part:
                params.append(obj.pk)
                params.extend(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in cols)
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row_sql] * len(part))}) "  # noqa: S608 - identifiers are ours
                f"UPDATE {q(table)} SET {sets} FROM v WHERE {q(table)}.id = v.id",
                params,
            )


def _save(installments: Iterable[Installment], notes: Iterable[Note], payments: Iterable[ServicingPayment]) -> None:
    bulk_set(Installment, list(installments), INSTALLMENT_FIELDS)
    bulk_set(Note, list(notes), NOTE_FIELDS)
    saved = ServicingPayment.objects.bulk_create([p for p in payments if p is not None])
    notices.repayments_received(saved)


# ---------------------------------------------------------------- repayment (page, API)


@dataclass
class RepaymentResult:
    loan_id: int
    requested_minor: int
    paid_minor: int
    excess_minor: int
    loan_status: str
    still_owed_minor: int
    payment_id: int | None
    message: str
    breakdown: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "loan_id": self.loan_id,
            "requested": format_minor(self.requested_minor),
            "paid": format_minor(self.paid_minor),
            "excess_kept_available": format_minor(self.excess_minor),
            "still_owed": format_minor(self.still_owed_minor),
            "loan_status": self.loan_status,
            "payment_id": self.payment_id,
            "message": self.message,
            "breakdown": {k: format_minor(v) for k, v in self.breakdown.items()},
        }


# Loans collections staff may collect on: behind on payments, or charged off (a recovery).
COLLECTIBLE = (LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


def _locked_servicable(actor: User, loan_id: int, *, collecting: bool = False) -> Loan:
    """Lock the loan for a payment by its borrower, or (``collecting``) by a collections agent.

    Only the borrower pays through the borrower's routes, whatever roles the caller holds; staff
    take money only through collections, and only from loans behind on payments.
    """
    if collecting and not has_role(actor, Role.COLLECTIONS):
        raise PermissionDenied(_("only collections staff can collect a payment"), code="forbidden_role")
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if not collecting and loan.borrower_id != actor.pk:
        # Same answer as a missing loan would leak less, but the borrower needs a clear reason.
        raise PermissionDenied(_("this loan is not yours; only its borrower can repay it"), code="not_owner")
    if collecting and loan.status not in COLLECTIBLE:
        raise ApplicationError(_("loan %(id)s is %(status)s, not in collections")
                               % {"id": loan.pk, "status": loan.get_status_display()}, code="not_in_collections")
    if loan.status in CLOSED:
        raise Conflict(_("loan %(id)s is closed (%(status)s); nothing is owed")
                       % {"id": loan.pk, "status": loan.get_status_display()}, code="loan_closed")
    if loan.status not in (*SERVICED, LoanStatus.CHARGED_OFF):
        raise Conflict(_("loan %(id)s is %(status)s: it has not been disbursed")
                       % {"id": loan.pk, "status": loan.get_status_display()}, code="not_disbursed")
    return loan


def _load(loan: Loan) -> tuple[list[Installment], list[Note]]:
    installments = list(Installment.objects.filter(loan=loan).order_by("number"))
    notes = list(Note.objects.filter(loan=loan, status__in=[NoteStatus.ACTIVE, NoteStatus.CHARGED_OFF]).order_by("pk"))
    return installments, notes


def _positive(amount_minor: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ApplicationError(_("the amount must be positive"), code="invalid_amount")


def repay(*, actor: User, loan_id: int, amount_minor: int, today: date | None = None) -> RepaymentResult:
    """The borrower (only the borrower) pays from their available balance.

    Covers what is due up to today and the next installment; after a charge-off the whole
    remaining debt (a recovery). An amount beyond the borrower's available balance is refused;
    more than owed (within the balance): only what is owed is taken. The message says what was
    taken, what it paid, what stayed in the balance and what is still owed (``receipts``).
    """
    return _pay(actor, loan_id, amount_minor, today, collecting=False)


def collect_overdue(*, agent: User, loan_id: int, amount_minor: int, today: date | None = None) -> RepaymentResult:
    """A collections agent debits the borrower's available balance for a loan behind on payments.

    At most what is due up to today (never an installment not yet due); after a charge-off the
    whole remaining debt (a recovery). A larger amount is capped and the result says so.
    """
    return _pay(agent, loan_id, amount_minor, today, collecting=True)


def _pay(actor: User, loan_id: int, amount_minor: int, today: date | None, *, collecting: bool) -> RepaymentResult:
    _positive(amount_minor)
    today = today or business_date()
    with transaction.atomic():
        loan = _locked_servicable(actor, loan_id, collecting=collecting)
        installments, notes = _load(loan)
        recovery = loan.status == LoanStatus.CHARGED_OFF
        payable = [i for i in installments if i.due_minor > 0] if recovery else _payable(
            installments, today, ahead=not collecting)
        owed = sum(i.due_minor for i in payable)
        if owed == 0:
            raise Conflict(_("nothing is due on this loan now; use prepayment to repay early"), code="nothing_due")
        take = min(amount_minor, owed)
        accounts = Accounts([loan.borrower_id, *(n.investor_id for n in notes)])
        available = accounts.available(loan.borrower_id).balance_minor
        if available < take:
            raise receipts.insufficient(available, take)
        if not collecting and amount_minor > available:
            # A payment can take only what the borrower has: an amount beyond the balance is refused,
            # never "kept" in a balance that does not hold it.
            raise receipts.over_balance(amount_minor, available)
        kind = PaymentKind.RECOVERY if recovery else PaymentKind.REPAYMENT
        payment = collect_from_borrower(loan, payable, notes, take, today, accounts, kind=kind, actor=actor)
        assert payment is not None
        settle_status(loan, installments, notes, today)
        _save(installments, notes, [payment])
        excess = amount_minor - take
        message = receipts.receipt(payment, installments, today, requested_minor=amount_minor, payable_minor=owed,
                                   balance_after_minor=None if collecting else available - take)
        return RepaymentResult(
            loan_id=loan.pk, requested_minor=amount_minor, paid_minor=take, excess_minor=excess,
            loan_status=loan.status, still_owed_minor=sum(i.due_minor for i in installments),
            payment_id=payment.pk, message=message,
            breakdown={"principal": payment.principal_to_notes_minor, "interest": payment.interest_to_notes_minor,
                       "late_fee": payment.late_fee_minor, "to_reserve": payment.to_reserve_minor},
        )


# ---------------------------------------------------------------- compensation (risk reserve)


def compensate_installment(
    loan: Loan, inst: Installment, notes: Sequence[Note], today: date, accounts: Accounts,
) -> ServicingPayment | None:
    """The reserve pays the holders this installment's unpaid principal and interest (代偿).

    Returns None and records a ``CompensationPending`` when the reserve cannot pay it all.
    """
    principal, interest = unpaid_principal(inst), unpaid_interest(inst)
    amount = principal + interest
    if amount <= 0 or inst.compensated_on is not None:
        return None
    reserve = accounts.platform("risk_reserve")
    plan = plan_distribution(notes, principal, interest)
    if reserve.balance_minor < amount:
        _pending(inst, amount, today)
        return None
    applied = Applied(principal_to_notes=principal, interest_to_notes=interest)
    payment = _record(loan, PaymentKind.COMPENSATION, amount, applied, plan, today, None, None)
    try:
        accounts.post(ledger.EntrySpec(
            kind="compensation", lines=_lines(accounts, reserve, amount, plan, Applied()),
            reference=f"loan:{loan.pk}", business_date=today, memo=f"risk reserve compensates installment {inst.pk}",
        ), payment)
    except ApplicationError as exc:
        if exc.code != "insufficient_funds":
            raise
        if not accounts.deferred:  # a queued batch keeps its in-memory balances (they include the queue)
            reserve.refresh_from_db()
        _pending(inst, amount, today)
        return None
    if plan:
        plan.apply()
    inst.compensated_on = today
    inst.compensated_principal_minor = principal
    inst.compensated_interest_minor = interest
    CompensationPending.objects.filter(installment=inst).delete()
    return payment


def _pending(inst: Installment, amount: int, today: date) -> None:
    CompensationPending.objects.update_or_create(
        installment=inst, defaults={"amount_minor": amount, "last_tried": today}, create_defaults={
            "amount_minor": amount, "last_tried": today, "since": today},
    )


def charge_off_notes(loan: Loan, notes: Sequence[Note], installments: Sequence[Installment], today: date) -> None:
    """Write off the remaining principal: each note's charged_off = its outstanding principal."""
    for n in notes:
        if n.status == NoteStatus.ACTIVE:
            n.charged_off_minor += n.principal_outstanding_minor
            n.principal_outstanding_minor = 0
            n.status = NoteStatus.CHARGED_OFF
    for i in installments:
        if i.due_minor > 0 and i.compensated_on is None:
            i.status = InstallmentStatus.WRITTEN_OFF
    set_status(loan, LoanStatus.CHARGED_OFF, closed_on=today, principal_outstanding_minor=0)


def disbursement_reserve_lines(fee_minor: int) -> list[tuple[LedgerAccount, int]]:
    """Lines that move the reserve share of an origination fee from fee_income to the risk reserve."""
    share = reserve_share_minor(fee_minor)
    if not share:
        return []
    return [(ledger.platform_account("fee_income"), -share), (ledger.platform_account("risk_reserve"), share)]


def has_role(user: Any, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(role))


# Prepayment lives in ``prepayment`` (which imports this module); its names stay reachable here,
# resolved on first use so either module may be imported first.
_PREPAYMENT_NAMES = frozenset({"PrepaymentQuote", "prepayment_quote", "quote_for", "prepay"})


def __getattr__(name: str) -> Any:
    if name in _PREPAYMENT_NAMES:
        from peerlend.servicing import prepayment

        return getattr(prepayment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
