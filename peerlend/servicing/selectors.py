"""Read queries of the servicing context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import CompensationPending, Installment, ServicingPayment


@dataclass
class InstallmentView:
    inst: Installment
    state: str  # paid / due / overdue / upcoming / partial / written_off


def schedule_view(loan: Loan, today: date) -> list[InstallmentView]:
    out = []
    for inst in Installment.objects.filter(loan=loan).order_by("number"):
        if inst.due_minor == 0:
            state = "paid"
        elif inst.status == "written_off":
            state = "written_off"
        elif inst.due_date < today:
            state = "overdue"
        elif inst.due_date == today:
            state = "due"
        elif inst.principal_paid_minor or inst.interest_paid_minor:
            state = "partial"
        else:
            state = "upcoming"
        out.append(InstallmentView(inst, state))
    return out


def payments_of(loan: Loan) -> QuerySet[ServicingPayment]:
    return ServicingPayment.objects.filter(loan=loan).order_by("-id")


def notes_with_income(investor: Any) -> QuerySet[Note]:
    return Note.objects.filter(investor=investor).select_related("loan").order_by("-id")


def pending_compensations() -> dict[str, Any]:
    """Disclosure: compensations waiting because the reserve is empty."""
    rows = CompensationPending.objects.all()
    return {"count": rows.count(), "amount_minor": rows.aggregate(s=Sum("amount_minor"))["s"] or 0}
