"""Servicing invariants added to ``peerlend audit``: cash in = cash out, note balances, schedules."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import Installment, ServicingPayment

_DISBURSED = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF,
              LoanStatus.FULLY_PAID, LoanStatus.PREPAID)


def _rows(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def cash_in_equals_cash_out() -> list[str]:
    """Per payment: what left the payer = notes + late fee + reserve, and the ledger entry agrees.

    Per loan: what the notes received (principal, interest, fees) = the sums of the payments.
    """
    problems = [
        f"payment {pk}: amount {amt} != notes {p}+{i} + late fee {lf} + reserve {r}"
        for pk, amt, p, i, lf, r in ServicingPayment.objects.exclude(
            amount_minor=F("principal_to_notes_minor") + F("interest_to_notes_minor") + F("late_fee_minor")
            + F("to_reserve_minor")
        ).values_list("pk", "amount_minor", "principal_to_notes_minor", "interest_to_notes_minor",
                      "late_fee_minor", "to_reserve_minor")
    ]
    # The entry's outflow equals the payment; fee_income got service fee + late fee; the reserve
    # got what was repaid to it (minus what it paid out for a compensation).
    rows = _rows(
        """SELECT s.id, s.kind, s.amount_minor, s.service_fee_minor + s.late_fee_minor, s.to_reserve_minor,
                  SUM(CASE WHEN p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END),
                  SUM(CASE WHEN a.code = 'platform:fee_income' THEN p.amount_minor ELSE 0 END),
                  SUM(CASE WHEN a.code = 'platform:risk_reserve' THEN p.amount_minor ELSE 0 END)
           FROM servicing_servicingpayment s
           JOIN ledger_posting p ON p.entry_id = s.entry_id
           JOIN ledger_ledgeraccount a ON a.id = p.account_id
           GROUP BY s.id, s.kind, s.amount_minor, s.service_fee_minor, s.late_fee_minor, s.to_reserve_minor"""
    )
    for pk, kind, amount, fees, to_reserve, out, fee_income, reserve in rows:
        expected_reserve = -amount if kind == "compensation" else to_reserve
        if out != amount or fee_income != fees or reserve != expected_reserve:
            problems.append(
                f"payment {pk}: ledger moved out {out}, fee_income {fee_income}, reserve {reserve}; "
                f"payment says {amount}, {fees}, {expected_reserve}"
            )
    paid = {
        row["loan"]: row
        for row in ServicingPayment.objects.values("loan").annotate(
            p=Sum("principal_to_notes_minor"), i=Sum("interest_to_notes_minor"), f=Sum("service_fee_minor"))
    }
    notes = Note.objects.filter(loan_id__in=list(paid)).values("loan").annotate(
        p=Sum("principal_received_minor"), i=Sum("interest_received_minor"), f=Sum("fees_paid_minor"))
    for row in notes:
        want = paid[row["loan"]]
        if (row["p"], row["i"], row["f"]) != (want["p"], want["i"], want["f"]):
            problems.append(
                f"loan {row['loan']}: notes received principal/interest/fees {row['p']}/{row['i']}/{row['f']}"
                f" != payments {want['p']}/{want['i']}/{want['f']}"
            )
    return problems


def note_balances() -> list[str]:
    """Every disbursed note: amount = outstanding + received + charged off; no negative balance."""
    bad = Note.objects.filter(loan__status__in=_DISBURSED).exclude(status=NoteStatus.REFUNDED).exclude(
        amount_minor=F("principal_outstanding_minor") + F("principal_received_minor") + F("charged_off_minor"))
    problems = [
        f"note {n.pk}: amount {n.amount_minor} != outstanding {n.principal_outstanding_minor} + received "
        f"{n.principal_received_minor} + charged off {n.charged_off_minor}" for n in bad[:50]
    ]
    neg = Note.objects.filter(Q(charged_off_minor__lt=0) | Q(fees_paid_minor__lt=0)).values_list("pk", flat=True)
    problems += [f"note {pk} has a negative balance" for pk in neg[:50]]
    return problems


def schedule_matches_notes() -> list[str]:
    """Borrower's unpaid, uncompensated scheduled principal = what the holders are still owed."""
    sched = dict(
        Installment.objects.filter(loan__status__in=(LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED),
                                   compensated_on__isnull=True)
        .values("loan").annotate(s=Sum(F("principal_minor") - F("principal_paid_minor"))).values_list("loan", "s")
    )
    notes = dict(
        Note.objects.filter(loan_id__in=list(sched), status=NoteStatus.ACTIVE).values("loan")
        .annotate(s=Sum("principal_outstanding_minor")).values_list("loan", "s")
    )
    return [f"loan {pk}: unpaid scheduled principal {s} != notes outstanding {notes.get(pk, 0)}"
            for pk, s in sched.items() if s != notes.get(pk, 0)]


def schedule_principal_sums() -> list[str]:
    """Principal over a loan's installments equals the amount lent (prepayments rebuild it exactly).

    A disbursed loan with no installment left sums to 0 (not NULL, which no comparison would catch).
    """
    rows = (Loan.objects.filter(status__in=_DISBURSED)
            .annotate(s=Coalesce(Sum("installments__principal_minor"), Value(0)))
            .exclude(s=F("amount_minor")).values_list("pk", "amount_minor", "s"))
    return [f"loan {pk}: installments' principal {s} != amount {amt}" for pk, amt, s in rows[:50]]


def reserve_claims() -> list[str]:
    """The reserve was never repaid more than it paid out for an installment (plus that penalty)."""
    rows = Installment.objects.filter(reserve_repaid_minor__gt=0, compensated_on__isnull=True).values_list("pk",
                                                                                                          flat=True)
    return [f"installment {pk} repaid the reserve without a compensation" for pk in rows[:50]]


def register() -> None:
    from peerlend.ledger.audit import register_check

    register_check("servicing.cash_in_equals_cash_out", cash_in_equals_cash_out)
    register_check("servicing.note_balances", note_balances)
    register_check("servicing.schedule_matches_notes", schedule_matches_notes)
    register_check("servicing.schedule_principal_sums", schedule_principal_sums)
    register_check("servicing.reserve_claims", reserve_claims)
