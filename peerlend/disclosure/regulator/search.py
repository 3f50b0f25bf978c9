"""Loan-level and member-level search for the regulator; PII masked unless a justified read asks otherwise.

Unmasking is decided by the caller (a page with a logged justification) and applies to one member
in one answer: nothing here remembers it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from peerlend.accounts.kyc import resident_id_index
from peerlend.accounts.models import Identity, Role, User
from peerlend.compliance.crypto import blind_index
from peerlend.lending.disbursement import masked_parties
from peerlend.lending.models import Loan, Note

MAX_ROWS = 200  # one page of results; the exports carry the full data


@dataclass(frozen=True)
class LoanQuery:
    loan_id: int | None = None
    borrower_id: int | None = None
    status: str = ""
    grade: str = ""
    disbursed_from: dt.date | None = None
    disbursed_to: dt.date | None = None


def search_loans(query: LoanQuery) -> list[dict[str, Any]]:
    """Loans matching every given filter, newest first, each with its borrower masked."""
    loans = Loan.objects.all()
    if query.loan_id is not None:
        loans = loans.filter(pk=query.loan_id)
    if query.borrower_id is not None:
        loans = loans.filter(borrower_id=query.borrower_id)
    if query.status:
        loans = loans.filter(status=query.status)
    if query.grade:
        loans = loans.filter(grade=query.grade)
    if query.disbursed_from is not None:
        loans = loans.filter(disbursed_on__gte=query.disbursed_from)
    if query.disbursed_to is not None:
        loans = loans.filter(disbursed_on__lte=query.disbursed_to)
    found = list(loans.select_related("borrower").order_by("-pk")[:MAX_ROWS])
    parties = masked_parties([loan.borrower for loan in found])
    return [{"loan": loan, "borrower_masked": parties.get(loan.borrower_id, "")} for loan in found]


@dataclass(frozen=True)
class MemberQuery:
    text: str = ""  # a member id, a username (part), a resident ID or a mobile number (exact, by blind index)
    role: str = ""


def search_members(query: MemberQuery) -> list[dict[str, Any]]:
    """Members matching the query, each with the masked identity only."""
    members = User.objects.all()
    text = query.text.strip()
    if text:
        match = Q(username__icontains=text)
        if text.isdigit():
            match |= Q(pk=int(text)) if len(text) < 12 else Q()
            match |= Q(identity__mobile_index=blind_index(text, purpose="mobile"))
        if len(text) == 18:
            match |= Q(identity__resident_id_index=resident_id_index(text))
        members = members.filter(match)
    found = [u for u in members.order_by("pk")[: MAX_ROWS * 5] if not query.role or u.has_role(query.role)]
    found = found[:MAX_ROWS]
    parties = masked_parties(found)
    return [{"user": u, "masked": parties.get(u.pk, ""), "roles": role_labels(u)} for u in found]


def role_labels(user: User) -> list[str]:
    known = {r.value: str(r.label) for r in Role}
    return [known.get(r, r) for r in (user.roles or [])]


@dataclass
class MemberFile:
    user: User
    identity: dict[str, str] | None
    unmasked: bool
    loans: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    recent_loans: list[Loan] = field(default_factory=list)


def member_file(user_id: int, *, unmasked: bool) -> MemberFile | None:
    """One member's identity (masked, or in clear when ``unmasked``) and their borrowing and investing totals."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    identity_row = Identity.objects.filter(user_id=user.pk).first()
    identity: dict[str, str] | None = None
    if identity_row is not None:
        identity = identity_row.masked()
        if unmasked:
            identity = {**identity, **identity_row.decrypted()}
    loans = Loan.objects.filter(borrower=user).aggregate(n=Count("id"), amount=Sum("amount_minor"),
                                                        outstanding=Sum("principal_outstanding_minor"))
    notes = Note.objects.filter(investor=user).aggregate(n=Count("id"), amount=Sum("amount_minor"),
                                                         outstanding=Sum("principal_outstanding_minor"))
    recent = list(Loan.objects.filter(borrower=user).order_by("-pk")[:20])
    return MemberFile(user=user, identity=identity, unmasked=unmasked, loans=loans, notes=notes,
                      recent_loans=recent)
