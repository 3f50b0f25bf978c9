"""An investor's returns rebuilt from the ledger and the note and loan rows, without the portfolio code.

The ledger keeps what moved: the investor's freeze of each note (``invest_freeze``, reference
``note:<id>``), the disbursement that took the frozen cash (``disburse``, ``loan:<id>``) and one net
credit per servicing payment (principal + interest - service fee of all the investor's notes in the
loan). The parts of each credit are found by splitting each payment of the loan over its notes as the
servicing does (``domain.holder_split``: by outstanding principal, by what was written off once the
loan is charged off), and every split is checked against the investor's posting in that payment's
entry, to the cent. From those dated parts: NAR (one ``NoteMonth`` per note and payment period) and
XIRR (amounts out on the day each note was frozen, net credits on their business dates, the running
notes' value today), through ``domain.returns``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Min

from peerlend.accounts.models import User
from peerlend.domain.holder_split import split_over_holders
from peerlend.domain.portfolio_returns import expected_loss_minor
from peerlend.domain.returns import NoteMonth, net_annualized_return, xirr
from peerlend.domain.schedule import add_months, daily_interest_minor
from peerlend.ledger.models import LedgerAccount, Posting
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import Installment, PaymentKind, ServicingPayment

SERVICING_KINDS = frozenset(PaymentKind.values)
HELD = ("active", "paid", "charged_off", "sold")  # notes whose cash went to the borrower


@dataclass
class Part:
    """What one payment (or the charge-off) did to one note."""

    on: date
    principal: int = 0
    interest: int = 0
    fee: int = 0
    recovery: int = 0
    charge_off: int = 0


@dataclass
class NoteBook:
    note: Note
    loan: Loan
    frozen_on: date
    parts: list[Part] = field(default_factory=list)
    outstanding: int = 0
    written_off: int = 0  # still written off (less recoveries)

    @property
    def received_principal(self) -> int:
        return sum(p.principal + p.recovery for p in self.parts)


@dataclass
class Recomputed:
    cash_available: int
    cash_frozen: int
    books: list[NoteBook]
    flows: dict[date, int]  # invested (negative) and net credits by business date, no final value
    final_value: int
    expected_loss: int
    accrued: int
    nar: Decimal | None
    xirr: Decimal | None

    def total(self, attr: str) -> int:
        return sum(sum(getattr(p, attr) for p in b.parts) for b in self.books)


def _postings(investor: User, kind: str) -> list[Posting]:
    account = LedgerAccount.objects.filter(owner=investor, kind=kind).first()
    if account is None:
        return []
    return list(Posting.objects.filter(account=account).select_related("entry").order_by("entry_id", "pk"))


def _replay(loan: Loan, books: dict[int, NoteBook], credits: dict[int, int], investor_id: int) -> None:
    """Split every payment of ``loan`` over all its held notes; the investor's nets must equal the ledger's."""
    holders = sorted(Note.objects.filter(loan=loan, status__in=HELD), key=lambda n: n.pk)
    outstanding = [n.amount_minor for n in holders]
    written = [0] * len(holders)
    charged_off = False

    def write_off(on: date) -> None:
        nonlocal charged_off
        for k, n in enumerate(holders):
            if outstanding[k] and n.pk in books:
                books[n.pk].parts.append(Part(on=on, charge_off=outstanding[k]))
            written[k] += outstanding[k]
            outstanding[k] = 0
        charged_off = True

    for pay in ServicingPayment.objects.filter(loan=loan).order_by("pk"):
        if pay.kind == PaymentKind.RECOVERY and not charged_off:
            write_off(loan.closed_on or pay.business_date)
        on_written = not any(outstanding) and any(written)
        weights = written if on_written else outstanding
        if not any(weights):
            weights = [n.amount_minor for n in holders]
        split = split_over_holders(pay.principal_to_notes_minor, pay.interest_to_notes_minor,
                                   pay.service_fee_minor, weights)
        mine = 0
        for k, n in enumerate(holders):
            p, i, f = split.principal[k], split.interest[k], split.fee[k]
            if on_written:
                written[k] -= p
            else:
                outstanding[k] -= p
            if n.investor_id == investor_id:
                mine += p + i - f
                if p or i or f:
                    books[n.pk].parts.append(Part(on=pay.business_date, principal=0 if on_written else p,
                                                  recovery=p if on_written else 0, interest=i, fee=f))
        posted = credits.get(pay.entry_id, 0)
        assert posted == mine, f"payment {pay.pk}: the ledger credited {posted}, the split gives {mine}"
    if loan.status == "charged_off" and not charged_off:
        write_off(loan.closed_on)
    for k, n in enumerate(holders):
        if n.pk in books:
            books[n.pk].outstanding = outstanding[k]
            books[n.pk].written_off = written[k]


def _period(day: date, start: date) -> int:
    """The payment period holding ``day``: the first k with ``day <= add_months(start, k)``."""
    k = 1
    while day > add_months(start, k):
        k += 1
    return k


def _note_months(book: NoteBook, today: date) -> list[NoteMonth]:
    start = book.loan.disbursed_on
    ended = 0
    while add_months(start, ended + 1) <= today:
        ended += 1
    by_period: dict[int, list[Part]] = defaultdict(list)
    for part in book.parts:
        by_period[_period(part.on, start)].append(part)
    outstanding = book.note.amount_minor
    months = []
    for k in range(1, max([ended, *by_period]) + 1):
        parts = by_period.get(k, [])
        months.append(NoteMonth(
            principal_outstanding_minor=max(outstanding, 0),
            interest_received_minor=sum(p.interest for p in parts), service_fees_minor=sum(p.fee for p in parts),
            charge_offs_minor=sum(p.charge_off for p in parts), recoveries_minor=sum(p.recovery for p in parts)))
        outstanding -= sum(p.principal + p.charge_off for p in parts)
    return months


def _value_today(book: NoteBook, today: date) -> tuple[int, int, int]:
    """(value, expected loss, accrued interest) of a running note on ``today``."""
    note, loan = book.note, book.loan
    if note.status != "active" or not book.outstanding:
        return 0, 0, 0
    oldest = (Installment.objects.filter(loan=loan, due_date__lt=today).exclude(status__in=("paid", "written_off"))
              .aggregate(d=Min("due_date"))["d"])
    days_late = (today - oldest).days if oldest else 0
    loss = expected_loss_minor(book.outstanding, days_late)
    accrued = 0
    if days_late == 0 and loan.annual_rate is not None:
        since = (Installment.objects.filter(loan=loan, due_date__lte=today).order_by("-due_date")
                 .values_list("due_date", flat=True).first()) or loan.disbursed_on
        if since < today:
            accrued = daily_interest_minor(book.outstanding, loan.annual_rate, (today - since).days)
    return book.outstanding - loss + accrued, loss, accrued


def recompute(investor: User, today: date) -> Recomputed:
    available, frozen = _postings(investor, "available"), _postings(investor, "frozen")
    credits: dict[int, int] = defaultdict(int)
    flows: dict[date, int] = defaultdict(int)
    for x in available:
        if x.entry.kind in SERVICING_KINDS:
            credits[x.entry_id] += x.amount_minor
            flows[x.entry.business_date] += x.amount_minor
    frozen_on = {int(x.entry.reference.split(":")[1]): (x.entry.business_date, x.amount_minor)
                 for x in frozen if x.entry.kind == "invest_freeze"}
    disbursed: dict[int, int] = defaultdict(int)  # loan -> what left the frozen account for it
    for x in frozen:
        if x.entry.kind == "disburse":
            disbursed[int(x.entry.reference.split(":")[1])] -= x.amount_minor
    books: dict[int, NoteBook] = {}
    for note in Note.objects.filter(investor=investor, status__in=HELD).select_related("loan"):
        day, amount = frozen_on[note.pk]
        assert amount == note.amount_minor, f"note {note.pk}: frozen {amount}, note {note.amount_minor}"
        books[note.pk] = NoteBook(note=note, loan=note.loan, frozen_on=day)
        flows[day] -= amount
    by_loan: dict[int, int] = defaultdict(int)
    for b in books.values():
        by_loan[b.loan.pk] += b.note.amount_minor
    assert dict(by_loan) == dict(disbursed), "the disbursements took exactly the notes' amounts"
    for loan in {b.loan.pk: b.loan for b in books.values()}.values():
        _replay(loan, books, credits, investor.pk)
    assert sum(credits.values()) == sum(p.principal + p.recovery + p.interest - p.fee
                                        for b in books.values() for p in b.parts), "every credit is a note's"
    valued = [_value_today(b, today) for b in books.values()]
    final = sum(v for v, _loss, _acc in valued)
    dated = {d: a for d, a in flows.items() if a}
    with_final = defaultdict(int, dated)
    with_final[today] += final
    try:
        nar = net_annualized_return(m for b in books.values() for m in _note_months(b, today))
    except ValueError:
        nar = None
    try:
        rate = xirr(sorted((d, a) for d, a in with_final.items() if a))
    except ValueError:
        rate = None
    return Recomputed(
        cash_available=sum(x.amount_minor for x in available), cash_frozen=sum(x.amount_minor for x in frozen),
        books=list(books.values()), flows=dated, final_value=final, expected_loss=sum(x[1] for x in valued),
        accrued=sum(x[2] for x in valued), nar=nar, xirr=rate)
