"""Risk review of an application: approve (maker-checker above a threshold) and list, reject,
ask for documents, and the borrower's answer to that request."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.domain.lifecycle import LoanStatus
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from peerlend.lending.intake import score_application, store_documents
from peerlend.lending.intake_rules import UploadedDocument
from peerlend.lending.listing_hooks import after_listing
from peerlend.lending.models import Loan, LoanDocument, ReviewDecision
from peerlend.lending.service_support import loan_context, locked_loan, rule
from peerlend.lending.transitions import transition_loan
from peerlend.notify import notify


def _review_target(officer: User, loan_id: int, version: int | None) -> Loan:
    require_role(officer, Role.RISK_OFFICER)
    loan = locked_loan(loan_id)
    if loan.borrower_id == officer.pk:
        raise PermissionDenied(_("an officer cannot review their own application"), code="self_review")
    if version is not None and version != loan.version:
        raise Conflict(_("the application changed since the page was loaded; reload and try again"), code="stale")
    if loan.status != LoanStatus.UNDER_REVIEW:
        raise Conflict(_("the application is %(status)s, not under review") % {"status": loan.get_status_display()},
                       code="not_under_review")
    return loan


@transaction.atomic
def approve(*, officer: User, loan_id: int, reason: str = "", version: int | None = None) -> Loan:
    """Approve and list. Above the maker-checker threshold a second, different officer must approve."""
    loan = _review_target(officer, loan_id, version)
    needs_two = loan.amount_minor > rule("SECOND_REVIEW_ABOVE_MINOR")
    if needs_two and loan.first_approver_id is None:
        old = {"first_approver": loan.first_approver_id, "version": loan.version}
        Loan.objects.filter(pk=loan.pk).update(first_approver=officer, version=F("version") + 1)
        loan.first_approver = officer
        loan.version += 1
        ReviewDecision.objects.create(loan=loan, officer=officer, decision="first_approval", reason=reason)
        record_audit(actor=officer, action="loan.first_approval", target=loan, old=old,
                     new={"first_approver": loan.first_approver_id, "version": loan.version}, reason=reason)
        return loan
    if needs_two and loan.first_approver_id == officer.pk:
        raise PermissionDenied(_("a second, different risk officer must approve this application"),
                               code="maker_checker")
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="approve", reason=reason)
    transition_loan(loan, LoanStatus.APPROVED, action="loan.approve", actor=officer, reason=reason,
                    decided_at=timezone.now(), decision_reason=reason)
    notify(loan.borrower_id, "application_approved", f"loan:{loan.pk}", loan_context(loan))
    _list(loan)
    return loan


def _list(loan: Loan) -> None:
    today = business_date()
    transition_loan(loan, LoanStatus.LISTED, listed_on=today,
                    list_expires_on=today + timedelta(days=rule("LISTING_DAYS")))
    notify(loan.borrower_id, "loan_listed", f"loan:{loan.pk}", loan_context(loan, until=str(loan.list_expires_on)))
    after_listing(loan.pk)  # wealth plans and auto-invest rules bid once the listing has committed


@transaction.atomic
def reject(*, officer: User, loan_id: int, reason: str, version: int | None = None) -> Loan:
    if not reason.strip():
        raise ApplicationError(_("a rejection needs a reason the borrower can read"), code="reason_required")
    loan = _review_target(officer, loan_id, version)
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="reject", reason=reason)
    transition_loan(loan, LoanStatus.REJECTED, action="loan.reject", actor=officer, reason=reason,
                    decided_at=timezone.now(), decision_reason=reason)
    notify(loan.borrower_id, "application_rejected", f"loan:{loan.pk}", loan_context(loan, reason=reason))
    return loan


@transaction.atomic
def request_documents(*, officer: User, loan_id: int, reason: str, version: int | None = None) -> Loan:
    if not reason.strip():
        raise ApplicationError(_("say which documents are needed"), code="reason_required")
    loan = _review_target(officer, loan_id, version)
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="request_documents", reason=reason)
    transition_loan(loan, LoanStatus.DOCUMENTS_REQUESTED, action="loan.request_documents", actor=officer,
                    reason=reason, decision_reason=reason)
    # Keyed by version: a second request after an upload is a new message.
    notify(loan.borrower_id, "documents_requested", f"loan:{loan.pk}:v{loan.version}",
           loan_context(loan, reason=reason))
    return loan


@transaction.atomic
def provide_documents(*, actor: User, loan_id: int, documents: list[UploadedDocument]) -> Loan:
    """The borrower (or the agent who filed it) adds documents; the application returns to review."""
    loan = locked_loan(loan_id)
    if actor.pk not in (loan.borrower_id, loan.agent_id):
        raise PermissionDenied(_("only the applicant or their agent can add documents"), code="not_owner")
    if loan.status != LoanStatus.DOCUMENTS_REQUESTED:
        raise Conflict(_("no documents were requested for this application"), code="not_requested")
    if not documents:
        raise ApplicationError(_("attach at least one document"), code="documents_required")
    in_person = actor.pk == loan.agent_id
    store_documents(loan, actor, documents, in_person=in_person)
    if in_person and any(d.kind == LoanDocument.Kind.INCOME for d in documents) and not loan.income_verified:
        Loan.objects.filter(pk=loan.pk).update(income_verified=True)
        loan.income_verified = True
        score_application(loan)
    transition_loan(loan, LoanStatus.UNDER_REVIEW)
    return loan
