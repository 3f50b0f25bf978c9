"""Read queries of the servicing context."""

from __future__ import annotations

from collections.abc import Iterable
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


@dataclass(frozen=True)
class BorrowerContact:
    """What collections staff may know to reach a borrower: the name to ask for and the number to call.

    The mobile number is shown in full because calling is the job; the resident ID number and the
    bank card are never part of it (not even masked): collections does not need them.
    """

    user_id: int
    name: str
    mobile: str
    company_name: str = ""


def borrower_contacts(borrower_ids: Iterable[int]) -> dict[int, BorrowerContact]:
    """Contacts of the given borrowers, decrypted from their verified identities (only name and mobile).

    For collections staff only: the caller checks the role. A borrower without a verified identity
    (none can borrow without one) gets the username and no number.
    """
    from peerlend.accounts.models import Identity, User
    from peerlend.compliance.crypto import decrypt_pii

    ids = set(borrower_ids)
    out: dict[int, BorrowerContact] = {}
    for identity in Identity.objects.filter(user_id__in=ids).only(
            "user_id", "real_name_enc", "mobile_enc", "company_name"):
        out[identity.user_id] = BorrowerContact(identity.user_id, decrypt_pii(identity.real_name_enc),
                                                decrypt_pii(identity.mobile_enc), identity.company_name)
    for user_id, username in User.objects.filter(pk__in=ids - set(out)).values_list("pk", "username"):
        out[user_id] = BorrowerContact(user_id, username, "")
    return out
