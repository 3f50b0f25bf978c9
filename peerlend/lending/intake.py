"""Filing an application (online or through an agent): documents, anti-fraud screening, scoring."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_kyc, require_role
from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.lending import antifraud
from peerlend.lending.credit_limit_check import check_credit_limit
from peerlend.lending.intake_rules import (
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    ApplicationInput,
    UploadedDocument,
    check_age_at_maturity,
    check_borrowing_cap,
    validate_application,
    verified_borrower_type,
)
from peerlend.lending.models import Channel, FraudHit, Loan, LoanDocument
from peerlend.lending.service_support import loan_context
from peerlend.lending.transitions import transition_loan
from peerlend.notify import notify
from peerlend.scoring.model import CreditModel


def store_documents(loan: Loan, uploader: User, documents: list[UploadedDocument], in_person: bool) -> None:
    root = Path(settings.PRIVATE_STORAGE_ROOT) / "loan-documents"
    root.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        if doc.kind not in LoanDocument.Kind.values:
            raise ApplicationError(_("unknown document kind %(v)r") % {"v": doc.kind}, code="invalid_document")
        suffix = DOCUMENT_TYPES.get(doc.content_type)
        if suffix is None:
            raise ApplicationError(_("documents must be PDF, JPEG or PNG files"), code="invalid_document")
        if not doc.content or len(doc.content) > MAX_DOCUMENT_BYTES:
            raise ApplicationError(_("a document must be between 1 byte and 5 MB"), code="invalid_document")
        stored = secrets.token_hex(16) + suffix
        (root / stored).write_bytes(doc.content)
        LoanDocument.objects.create(
            loan=loan,
            kind=doc.kind,
            original_name=Path(doc.name).name[:200] or "document",
            stored_name=stored,
            content_type=doc.content_type,
            size_bytes=len(doc.content),
            sha256=hashlib.sha256(doc.content).hexdigest(),
            uploaded_by=uploader,
            verified_in_person=in_person,
        )


def document_path(document: LoanDocument) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "loan-documents" / document.stored_name


def submit_application(
    *,
    borrower: User,
    data: ApplicationInput,
    agent: User | None = None,
    documents: list[UploadedDocument] | None = None,
    consent_code: str = "",
) -> Loan:
    """File an application (online by the borrower, offline by an agent), screen it and score it.

    An agent files only for a member registered or verified at their service point, or with the
    member's one-time ``consent_code`` (``accounts.consent``), used up with the application.

    Anti-fraud rules run first; a blocking hit rejects the application with its reason.
    Otherwise the credit model prices it and it waits in the risk officers' queue.
    """
    require_kyc(borrower)
    require_role(borrower, Role.BORROWER)
    validate_application(data)
    service_point = None
    consent_id: int | None = None
    if agent is not None:
        from peerlend.accounts.services import require_agent_point

        service_point = require_agent_point(agent)
        if agent.pk == borrower.pk:
            raise PermissionDenied(_("an agent cannot file an application for themselves"), code="self_dealing")
        from peerlend.accounts.consent import authorize_filing

        consent_id = authorize_filing(agent, borrower, consent_code)
    today = business_date()
    borrower_type = verified_borrower_type(borrower, data.borrower_type)
    check_age_at_maturity(borrower, borrower_type, data.term_months, today)
    with transaction.atomic():
        # Serialise one borrower's applications so that two at once cannot both fit under the cap.
        User.objects.select_for_update().filter(pk=borrower.pk).first()
        check_borrowing_cap(borrower, borrower_type, data.amount_minor)
        # One live model for the whole intake: the limit's PD and the recorded score come from the same one.
        model = _live_model()
        check_credit_limit(borrower, borrower_type, data, model)
        if agent is not None and consent_id is not None:
            from peerlend.accounts.consent import consume

            consume(consent_id)
        facts = {k: v for k, v in asdict(data).items() if k != "extra"}
        facts["borrower_type"] = borrower_type
        if agent is not None and documents:
            # Documents an agent checked in person count as verified income.
            has_income_proof = any(d.kind == LoanDocument.Kind.INCOME for d in documents)
            facts["income_verified"] = has_income_proof or data.income_verified
        elif agent is None:
            facts["income_verified"] = False
        loan = Loan.objects.create(
            borrower=borrower,
            channel=Channel.OFFLINE if agent else Channel.ONLINE,
            agent=agent,
            service_point=service_point,
            status=LoanStatus.DRAFT,
            **facts,
        )
        store_documents(loan, agent or borrower, documents or [], in_person=agent is not None)
        transition_loan(loan, LoanStatus.SUBMITTED, submitted_at=timezone.now(), submitted_on=today)
        hits = antifraud.run_rules(loan, today)
        FraudHit.objects.bulk_create(
            [FraudHit(loan=loan, rule=h.rule, reason=h.reason, blocking=h.blocking) for h in hits]
        )
        blocking = [h for h in hits if h.blocking]
        if blocking:
            reason = "; ".join(h.reason for h in blocking)
            transition_loan(loan, LoanStatus.REJECTED, action="loan.auto_reject", reason=reason,
                            decision_reason=reason, decided_at=timezone.now())
            notify(borrower, "application_rejected", f"loan:{loan.pk}", loan_context(loan, reason=reason))
            return loan
        score_application(loan, model)
        transition_loan(loan, LoanStatus.UNDER_REVIEW)
    return loan


def _live_model() -> CreditModel:
    from peerlend.scoring.retraining.live import live_model

    return live_model()


def score_application(loan: Loan, model: CreditModel | None = None) -> None:
    from peerlend.scoring.history import history_of, score_with_history

    # The application's score plus the borrower's own platform record (issue 17, separate scorecard),
    # by the live model (an approved retrained candidate, else the shipped artifact); it records its version.
    result = score_with_history(loan, history_of(loan.borrower_id), model or _live_model())
    reasons = [{"code": r.code, "text": str(r.text)} for r in result.reasons]
    fields = {
        "pd": result.pd,
        "credit_score": result.score,
        "grade": result.grade,
        "annual_rate": result.annual_rate,
        "origination_fee_rate": result.origination_fee_rate,
        "score_reasons": reasons,
        "model_version": result.model_version,
    }
    Loan.objects.filter(pk=loan.pk).update(**fields)
    for name, value in fields.items():
        setattr(loan, name, value)
