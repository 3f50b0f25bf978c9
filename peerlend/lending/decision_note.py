"""Who may read a loan's decision note (``Loan.decision_reason``).

The note is free text: the risk officer's reason for approving, rejecting or asking for
documents (what they learned on the phone with an employer, other debts, doubts), the
anti-fraud rules that rejected an application automatically, or a cancellation reason. It can
describe the borrower's private life and the platform's fraud rules, so it is staff-only:

* **read the note**: the reviewing and oversight roles (risk officer, compliance officer,
  operator, admin, and the read-only regulator);
* **a generic label**: the loan's borrower and the service-point agent who filed it, e.g. "Your
  application was not approved after review."; the standardized score reasons of a rejection
  stay on the borrower's own page (they are generated text, not the officer's note);
* **nothing**: everybody else: anonymous visitors, other members (investors included),
  collections and other agents. Public listings never carry it, whoever asks.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from peerlend.accounts.models import Role
from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Loan

NOTE_READERS: frozenset[str] = frozenset(
    {Role.RISK_OFFICER, Role.COMPLIANCE, Role.OPERATOR, Role.ADMIN, Role.REGULATOR}
)

_APPROVED = {LoanStatus.APPROVED, LoanStatus.LISTED, LoanStatus.FUNDED, LoanStatus.EXPIRED, LoanStatus.CURRENT,
             LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF, LoanStatus.FULLY_PAID,
             LoanStatus.PREPAID}


def can_read_note(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(NOTE_READERS.intersection(getattr(user, "roles", None) or []))


def generic_label(loan: Loan) -> str:
    """What the borrower is told about a decision, without the note's words."""
    if not loan.decision_reason:
        return ""
    if loan.status == LoanStatus.REJECTED:
        return _("Your application was not approved after review.")
    if loan.status == LoanStatus.DOCUMENTS_REQUESTED:
        return _("The reviewer needs more documents: the request in your inbox says which. Upload them on the "
                 "loan's page or bring them to your service point.")
    if loan.status == LoanStatus.CANCELLED:
        return _("The application was cancelled.")
    if loan.status in _APPROVED:
        return _("Approved after review.")
    return ""


def decision_note_for(loan: Loan, viewer: Any) -> str:
    """The note for staff who may read it, a generic label for the loan's own side, else ""."""
    if can_read_note(viewer):
        return loan.decision_reason
    if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.pk in (
            loan.borrower_id, loan.agent_id):
        return generic_label(loan)
    return ""
