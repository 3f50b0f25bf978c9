"""Use cases of the marketplace: apply, review, list, invest, fund, disburse, expire, cancel.

Locking policy: a use case that touches a loan locks the loan row first
(``select_for_update``), then the ledger locks accounts in id order inside ``post_entry``.
Status changes go through ``_move`` (state machine + compare-and-set on status and version).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_kyc, require_role
from peerlend.clock import business_date
from peerlend.domain.lifecycle import CANCELLABLE, IllegalTransition, LoanStatus, check_transition
from peerlend.domain.money import format_minor
from peerlend.domain.schedule import METHODS
from peerlend.domain_errors import domain_message
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.lending import antifraud
from peerlend.lending import limits as investment_limits
from peerlend.lending.invest_checks import run_invest_checks
from peerlend.lending.models import (
    BorrowerType,
    Channel,
    Contract,
    FraudHit,
    Housing,
    Loan,
    LoanDocument,
    Note,
    NoteStatus,
    Purpose,
    ReviewDecision,
)
from peerlend.notify import Notice, notify, notify_many

MIN_TERM_MONTHS = 3
MAX_TERM_MONTHS = 36
# Documented ranges (inclusive) of the facts an application states; the API schema and the web form
# show the same bounds, and _validate enforces them for every channel. A fact outside is a 400.
MAX_ANNUAL_INCOME_MINOR = 10**12  # 10,000,000,000.00 CNY a year
MAX_MONTHLY_DEBT_MINOR = 10**11  # 1,000,000,000.00 CNY a month
MAX_BALANCE_MINOR = 10**12  # delinquent amounts and installment-loan balances and limits
MAX_EMPLOYMENT_YEARS = 60
MAX_EVENT_COUNT = 99  # late payments, inquiries, delinquent accounts, loans opened recently
MAX_LOANS_EVER = 999  # installment loans ever held
MAX_UTILISATION_PCT = Decimal(200)
FACT_RANGES: dict[str, tuple[int, int]] = {
    "term_months": (MIN_TERM_MONTHS, MAX_TERM_MONTHS),
    "annual_income_minor": (1, MAX_ANNUAL_INCOME_MINOR),
    "monthly_debt_payments_minor": (0, MAX_MONTHLY_DEBT_MINOR),
    "employment_years": (0, MAX_EMPLOYMENT_YEARS),
    "delinq_2yrs": (0, MAX_EVENT_COUNT),
    "inq_last_6mths": (0, MAX_EVENT_COUNT),
    "inq_last_12m": (0, MAX_EVENT_COUNT),
    "inq_fi": (0, MAX_EVENT_COUNT),
    "acc_now_delinq": (0, MAX_EVENT_COUNT),
    "delinq_amnt_minor": (0, MAX_BALANCE_MINOR),
    "open_il_6m": (0, MAX_EVENT_COUNT),
    "open_il_12m": (0, MAX_EVENT_COUNT),
    "open_il_24m": (0, MAX_EVENT_COUNT),
    "num_il_tl": (0, MAX_LOANS_EVER),
    "total_bal_il_minor": (0, MAX_BALANCE_MINOR),
    "total_il_high_credit_limit_minor": (0, MAX_BALANCE_MINOR),
}
# Facts an application may leave out (None: unknown); every other one in FACT_RANGES is required.
OPTIONAL_FACTS = frozenset({"employment_years", "inq_last_12m", "inq_fi", "open_il_6m", "open_il_12m", "open_il_24m",
                            "num_il_tl", "total_bal_il_minor", "total_il_high_credit_limit_minor"})
PERCENT_FIELDS = ("revol_util_pct", "all_util_pct")
# Codes kept from before the ranges were documented (clients match on them).
_FACT_CODES = {"term_months": "invalid_term", "annual_income_minor": "invalid_income",
               "employment_years": "invalid_employment"}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
# Statuses whose requested amount counts against the borrowing cap before disbursement.
_PIPELINE = (
    LoanStatus.SUBMITTED,
    LoanStatus.UNDER_REVIEW,
    LoanStatus.DOCUMENTS_REQUESTED,
    LoanStatus.APPROVED,
    LoanStatus.LISTED,
    LoanStatus.FUNDED,
)
_OUTSTANDING = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)


def rule(name: str) -> int:
    return int(settings.PEERLEND[name])


@dataclass
class ApplicationInput:
    amount_minor: int
    term_months: int
    repayment_method: str
    purpose: str
    annual_income_minor: int
    title: str = ""
    description: str = ""
    # The borrower type comes from the verified identity (KYC). Optional here: if given it must
    # match the identity (400 ``borrower_type_mismatch``), so nobody borrows under the company cap
    # by saying "company".
    borrower_type: str | None = None
    employment_years: int | None = None
    housing: str = Housing.RENT
    monthly_debt_payments_minor: int = 0
    region: str = ""
    delinq_2yrs: int = 0
    inq_last_6mths: int = 0
    inq_last_12m: int | None = None
    inq_fi: int | None = None
    revol_util_pct: Decimal | None = None
    all_util_pct: Decimal | None = None
    acc_now_delinq: int = 0
    delinq_amnt_minor: int = 0
    open_il_6m: int | None = None
    open_il_12m: int | None = None
    open_il_24m: int | None = None
    num_il_tl: int | None = None
    total_bal_il_minor: int | None = None
    total_il_high_credit_limit_minor: int | None = None
    income_verified: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UploadedDocument:
    kind: str
    name: str
    content_type: str
    content: bytes


# ---------------------------------------------------------------- helpers


def _move(loan: Loan, target: LoanStatus, **fields: Any) -> None:
    """Change status through the state machine, compare-and-set on (status, version)."""
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


def _locked_loan(loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    return loan


def _by_investor(amounts: dict[int, int]) -> list[tuple[User, int]]:
    users = User.objects.in_bulk(list(amounts))
    return [(users[pk], amounts[pk]) for pk in sorted(amounts)]


def _loan_context(loan: Loan, **extra: Any) -> dict[str, Any]:
    """What a notice about ``loan`` names (rendered by servicing.notices in the member's language)."""
    return {"loan": loan.pk, "amount_minor": loan.amount_minor, **extra}


def _amount(loan_id: int) -> int:
    return int(Loan.objects.values_list("amount_minor", flat=True).get(pk=loan_id))


def _audit(actor: User | None, action: str, loan: Loan, old: dict[str, Any], new: dict[str, Any], reason: str) -> None:
    from peerlend.compliance.services import record_audit

    record_audit(actor=actor, action=action, target=loan, old=old, new=new, reason=reason)


def _validate(data: ApplicationInput) -> None:
    unit = rule("NOTE_UNIT_MINOR")
    minimum = rule("MIN_LOAN_MINOR")
    if not isinstance(data.amount_minor, int) or data.amount_minor < minimum:
        raise ApplicationError(_("the amount must be at least %(min)s CNY") % {"min": format_minor(minimum)},
                               code="amount_too_small")
    if data.amount_minor % unit:
        raise ApplicationError(_("the amount must be a multiple of %(unit)s CNY") % {"unit": format_minor(unit)},
                               code="amount_not_multiple")
    _validate_facts(data)
    if data.repayment_method not in METHODS:
        raise ApplicationError(_("unknown repayment method %(v)r") % {"v": data.repayment_method},
                               code="invalid_method")
    if data.purpose not in Purpose.values:
        raise ApplicationError(_("unknown purpose %(v)r") % {"v": data.purpose}, code="invalid_purpose")
    if data.borrower_type is not None and data.borrower_type not in BorrowerType.values:
        raise ApplicationError(_("unknown borrower type %(v)r") % {"v": data.borrower_type},
                               code="invalid_borrower_type")
    if data.housing not in Housing.values:
        raise ApplicationError(_("unknown housing %(v)r") % {"v": data.housing}, code="invalid_housing")


def _validate_facts(data: ApplicationInput) -> None:
    """Every count and amount within FACT_RANGES, every percentage a finite number within 0..200."""
    for name, (lo, hi) in FACT_RANGES.items():
        value = getattr(data, name)
        if value is None and name in OPTIONAL_FACTS:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ApplicationError(_range_message(name, lo, hi), code=_FACT_CODES.get(name, "invalid_fact"),
                                   extra={"field": name.removesuffix("_minor")})
    for name in PERCENT_FIELDS:
        value = getattr(data, name)
        if value is None:
            continue
        try:
            number = Decimal(value) if isinstance(value, (int, str, Decimal)) and not isinstance(value, bool) else None
        except ArithmeticError:  # decimal.InvalidOperation: not a number at all
            number = None
        if number is None or not number.is_finite() or not Decimal(0) <= number <= MAX_UTILISATION_PCT:
            raise ApplicationError(
                _("%(field)s must be a number between 0 and %(hi)s") % {"field": name, "hi": MAX_UTILISATION_PCT},
                code="invalid_fact", extra={"field": name},
            )


def _range_message(name: str, lo: int, hi: int) -> str:
    if name == "term_months":
        return _("the term must be between %(lo)d and %(hi)d months") % {"lo": lo, "hi": hi}
    if name.endswith("_minor"):  # an amount: shown in CNY under its API name
        return _("%(field)s must be between %(lo)s and %(hi)s CNY") % {
            "field": name.removesuffix("_minor"), "lo": format_minor(lo), "hi": format_minor(hi)}
    return _("%(field)s must be a whole number between %(lo)d and %(hi)d") % {"field": name, "lo": lo, "hi": hi}


def outstanding_for_cap(borrower: User, exclude_loan_id: int | None = None) -> int:
    """Principal that counts against the borrowing cap: requests in the pipeline plus principal owed."""
    loans = Loan.objects.filter(borrower=borrower)
    if exclude_loan_id is not None:
        loans = loans.exclude(pk=exclude_loan_id)
    pipeline = loans.filter(status__in=_PIPELINE).aggregate(s=Sum("amount_minor"))["s"] or 0
    owed = loans.filter(status__in=_OUTSTANDING).aggregate(s=Sum("principal_outstanding_minor"))["s"] or 0
    return int(pipeline) + int(owed)


def _borrower_type(borrower: User, declared: str | None) -> str:
    """The borrower type of ``borrower``'s verified identity; a declared type must agree with it."""
    from peerlend.accounts.selectors import identity_kind

    kind = identity_kind(borrower) or BorrowerType.PERSON
    if declared is not None and declared != kind:
        raise ApplicationError(
            _("borrower_type: you are verified as a %(kind)s, so you can only borrow as a %(kind)s (the application "
              "said %(declared)s); leave the borrower type out, it comes from your verification")
            % {"kind": str(BorrowerType(kind).label).lower(), "declared": declared},
            code="borrower_type_mismatch", extra={"field": "borrower_type"},
        )
    return kind


def _check_age_at_maturity(borrower: User, borrower_type: str, term_months: int, today: date) -> None:
    """A person borrower may be at most ``BORROWER_MAX_AGE_AT_MATURITY`` on the loan's last due date.

    The last due date is estimated at application time as today + the term (the loan is disbursed
    later, so the real date is a little later still). Companies are not limited by their legal
    representative's age.
    """
    if borrower_type != BorrowerType.PERSON:
        return
    from peerlend.accounts.selectors import identity_of
    from peerlend.domain.schedule import add_months
    from peerlend.domain.validators import resident_id_age

    identity = identity_of(borrower)
    if identity is None:
        return
    limit = rule("BORROWER_MAX_AGE_AT_MATURITY")
    maturity = add_months(today, term_months)
    age = resident_id_age(identity.decrypted()["resident_id"], maturity)
    if age > limit:
        raise ApplicationError(
            _("borrowers may be at most %(max)d years old when the loan ends: you would be %(age)d on %(date)s; "
              "choose a shorter term")
            % {"max": limit, "age": age, "date": maturity.isoformat()},
            code="age_at_maturity", extra={"field": "term_months"},
        )


def _check_cap(borrower: User, borrower_type: str, amount_minor: int) -> None:
    cap = rule("CAP_COMPANY_MINOR") if borrower_type == BorrowerType.COMPANY else rule("CAP_PERSON_MINOR")
    current = outstanding_for_cap(borrower)
    if current + amount_minor > cap:
        raise ApplicationError(
            _("borrowing cap exceeded: %(current)s CNY already outstanding or requested + %(requested)s CNY "
              "requested > cap %(cap)s CNY for a %(type)s")
            % {"current": format_minor(current), "requested": format_minor(amount_minor), "cap": format_minor(cap),
               "type": str(BorrowerType(borrower_type).label).lower()},
            code="borrowing_cap",
            extra={
                "outstanding": format_minor(current),
                "requested": format_minor(amount_minor),
                "cap": format_minor(cap),
            },
        )


def _store_documents(loan: Loan, uploader: User, documents: list[UploadedDocument], in_person: bool) -> None:
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


# ---------------------------------------------------------------- application


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
    _validate(data)
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
    borrower_type = _borrower_type(borrower, data.borrower_type)
    _check_age_at_maturity(borrower, borrower_type, data.term_months, today)
    with transaction.atomic():
        # Serialise one borrower's applications so that two at once cannot both fit under the cap.
        User.objects.select_for_update().filter(pk=borrower.pk).first()
        _check_cap(borrower, borrower_type, data.amount_minor)
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
        if not facts["title"]:
            facts["title"] = f"{Purpose(data.purpose).label} · {data.term_months}m"
        loan = Loan.objects.create(
            borrower=borrower,
            channel=Channel.OFFLINE if agent else Channel.ONLINE,
            agent=agent,
            service_point=service_point,
            status=LoanStatus.DRAFT,
            **facts,
        )
        _store_documents(loan, agent or borrower, documents or [], in_person=agent is not None)
        _move(loan, LoanStatus.SUBMITTED, submitted_at=timezone.now(), submitted_on=today)
        hits = antifraud.run_rules(loan, today)
        FraudHit.objects.bulk_create(
            [FraudHit(loan=loan, rule=h.rule, reason=h.reason, blocking=h.blocking) for h in hits]
        )
        blocking = [h for h in hits if h.blocking]
        if blocking:
            reason = "; ".join(h.reason for h in blocking)
            _move(loan, LoanStatus.REJECTED, decision_reason=reason, decided_at=timezone.now())
            _audit(None, "loan.auto_reject", loan, {"status": "submitted"}, {"status": "rejected"}, reason)
            notify(borrower, "application_rejected", f"loan:{loan.pk}", _loan_context(loan, reason=reason))
            return loan
        _score(loan)
        _move(loan, LoanStatus.UNDER_REVIEW)
    return loan


def _score(loan: Loan) -> None:
    from peerlend.scoring.services import score

    result = score(loan)
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


# ---------------------------------------------------------------- review


def _review_target(officer: User, loan_id: int, version: int | None) -> Loan:
    require_role(officer, Role.RISK_OFFICER)
    loan = _locked_loan(loan_id)
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
        Loan.objects.filter(pk=loan.pk).update(first_approver=officer, version=F("version") + 1)
        loan.first_approver = officer
        loan.version += 1
        ReviewDecision.objects.create(loan=loan, officer=officer, decision="first_approval", reason=reason)
        _audit(officer, "loan.first_approval", loan, {"first_approver": None}, {"first_approver": officer.pk}, reason)
        return loan
    if needs_two and loan.first_approver_id == officer.pk:
        raise PermissionDenied(_("a second, different risk officer must approve this application"),
                               code="maker_checker")
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="approve", reason=reason)
    _move(loan, LoanStatus.APPROVED, decided_at=timezone.now(), decision_reason=reason)
    _audit(officer, "loan.approve", loan, {"status": "under_review"}, {"status": "approved"}, reason)
    notify(loan.borrower_id, "application_approved", f"loan:{loan.pk}", _loan_context(loan))
    _list(loan)
    return loan


def _list(loan: Loan) -> None:
    today = business_date()
    _move(loan, LoanStatus.LISTED, listed_on=today, list_expires_on=today + timedelta(days=rule("LISTING_DAYS")))
    notify(loan.borrower_id, "loan_listed", f"loan:{loan.pk}", _loan_context(loan, until=str(loan.list_expires_on)))


@transaction.atomic
def reject(*, officer: User, loan_id: int, reason: str, version: int | None = None) -> Loan:
    if not reason.strip():
        raise ApplicationError(_("a rejection needs a reason the borrower can read"), code="reason_required")
    loan = _review_target(officer, loan_id, version)
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="reject", reason=reason)
    _move(loan, LoanStatus.REJECTED, decided_at=timezone.now(), decision_reason=reason)
    _audit(officer, "loan.reject", loan, {"status": "under_review"}, {"status": "rejected"}, reason)
    notify(loan.borrower_id, "application_rejected", f"loan:{loan.pk}", _loan_context(loan, reason=reason))
    return loan


@transaction.atomic
def request_documents(*, officer: User, loan_id: int, reason: str, version: int | None = None) -> Loan:
    if not reason.strip():
        raise ApplicationError(_("say which documents are needed"), code="reason_required")
    loan = _review_target(officer, loan_id, version)
    ReviewDecision.objects.create(loan=loan, officer=officer, decision="request_documents", reason=reason)
    _move(loan, LoanStatus.DOCUMENTS_REQUESTED, decision_reason=reason)
    _audit(officer, "loan.request_documents", loan, {"status": "under_review"},
           {"status": "documents_requested"}, reason)
    # Keyed by version: a second request after an upload is a new message.
    notify(loan.borrower_id, "documents_requested", f"loan:{loan.pk}:v{loan.version}",
           _loan_context(loan, reason=reason))
    return loan


@transaction.atomic
def provide_documents(*, actor: User, loan_id: int, documents: list[UploadedDocument]) -> Loan:
    """The borrower (or the agent who filed it) adds documents; the application returns to review."""
    loan = _locked_loan(loan_id)
    if actor.pk not in (loan.borrower_id, loan.agent_id):
        raise PermissionDenied(_("only the applicant or their agent can add documents"), code="not_owner")
    if loan.status != LoanStatus.DOCUMENTS_REQUESTED:
        raise Conflict(_("no documents were requested for this application"), code="not_requested")
    if not documents:
        raise ApplicationError(_("attach at least one document"), code="documents_required")
    in_person = actor.pk == loan.agent_id
    _store_documents(loan, actor, documents, in_person=in_person)
    if in_person and any(d.kind == LoanDocument.Kind.INCOME for d in documents) and not loan.income_verified:
        Loan.objects.filter(pk=loan.pk).update(income_verified=True)
        loan.income_verified = True
        _score(loan)
    _move(loan, LoanStatus.UNDER_REVIEW)
    return loan


# ---------------------------------------------------------------- investing and funding


def expire_if_due(loan_id: int, today: date | None = None) -> bool:
    """Expire a listing whose funding window has passed (run-day, and on access). True when expired now."""
    today = today or business_date()
    loan = Loan.objects.filter(pk=loan_id).only("status", "list_expires_on").first()
    if loan is None or loan.status != LoanStatus.LISTED or loan.list_expires_on is None:
        return False
    if today < loan.list_expires_on:
        return False
    return _close_listing(loan_id, LoanStatus.EXPIRED, kind="listing_expired", closed_on=today) is not None


def expire_due_listings(today: date) -> int:
    ids = list(
        Loan.objects.filter(status=LoanStatus.LISTED, list_expires_on__lte=today).values_list("pk", flat=True)
    )
    return sum(expire_if_due(pk, today) for pk in ids)


class _ListingMoved(Exception):
    """A note arrived between reading the listing's notes and closing it; read again."""


def _close_listing(loan_id: int, target: LoanStatus, *, kind: str, attempts: int = 20, **fields: Any) -> Loan | None:
    """Close a listing (expired or cancelled) and refund every pending note exactly.

    Lock order matches ``invest`` (investor accounts, then the loan row): the refund entry
    locks the accounts first, and the loan is closed by compare-and-set on its status and
    funded amount, so a note that slipped in meanwhile makes us read again instead of
    leaving it unrefunded. Returns None when the loan was not listed any more.
    """
    check_transition(LoanStatus.LISTED, target)
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                notes = list(Note.objects.filter(loan_id=loan_id, status=NoteStatus.PENDING))
                funded = sum(n.amount_minor for n in notes)
                _refund(loan_id, notes, kind=kind)
                closed = Loan.objects.filter(pk=loan_id, status=LoanStatus.LISTED, funded_minor=funded).update(
                    status=target, funded_minor=0, version=F("version") + 1, **fields
                )
                if closed != 1:
                    # Either a note slipped in (read again) or the listing closed another way.
                    raise _ListingMoved
                Note.objects.filter(pk__in=[n.pk for n in notes]).update(status=NoteStatus.REFUNDED)
                closed_loan = Loan.objects.get(pk=loan_id)
                notify(closed_loan.borrower_id, f"listing_{target.value}", f"loan:{loan_id}", {"loan": loan_id})
                return closed_loan
        except _ListingMoved:
            if not Loan.objects.filter(pk=loan_id, status=LoanStatus.LISTED).exists():
                return None
    raise Conflict(_("the listing is too busy to close right now; try again"), code="busy")


def _refund(loan_id: int, notes: list[Note], *, kind: str) -> None:
    """Every pending note gets its frozen cash back, exactly, in one balanced entry."""
    if not notes:
        return
    per_investor: dict[int, int] = defaultdict(int)
    for note in notes:
        per_investor[note.investor_id] += note.amount_minor
    lines: list[tuple[Any, int]] = []
    by_investor = _by_investor(per_investor)
    accounts_of = ledger.user_accounts_many([investor for investor, _amount in by_investor])
    for investor, amount in by_investor:
        accounts = accounts_of[investor.pk]
        lines += [(accounts.frozen, -amount), (accounts.available, amount)]
    ledger.post_entry(kind=kind, lines=lines, reference=f"loan:{loan_id}", business_date=business_date())
    cause = "expired" if kind == "listing_expired" else "cancelled"
    notify_many(Notice(investor.pk, f"investment_refunded_{cause}", f"loan:{loan_id}",
                       {"loan": loan_id, "amount_minor": amount}) for investor, amount in by_investor)


def invest(*, investor: User, loan_id: int, amount_minor: int, auto: bool = False) -> Note:
    """Buy a note: the amount is frozen at once; the note that fills the loan triggers disbursement.

    The loan row is the one hot spot every investor of a loan shares, so it is touched last,
    by a single conditional UPDATE (still listed, room left), and held only until commit.
    """
    require_kyc(investor)
    require_role(investor, Role.INVESTOR)
    unit = rule("NOTE_UNIT_MINOR")
    if amount_minor <= 0 or amount_minor % unit:
        raise ApplicationError(
            _("invest in multiples of %(unit)s CNY (minimum %(unit)s CNY)") % {"unit": format_minor(unit)},
            code="invalid_note_amount",
        )
    # Per-note and daily investment limits by member type (limit_exceeded, 400, with the figures).
    investment_limits.check_investment(investor, amount_minor)
    # Only what the checks below need: the loan row is wide, and this runs once per note.
    loan = Loan.objects.filter(pk=loan_id).only("pk", "status", "list_expires_on", "borrower_id", "grade").first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if loan.status == LoanStatus.LISTED and loan.list_expires_on and business_date() >= loan.list_expires_on:
        expire_if_due(loan_id)
        raise Conflict(_("the funding window of this loan has closed; investors were refunded"), code="expired")
    if loan.borrower_id == investor.pk:
        raise PermissionDenied(_("you cannot invest in your own loan"), code="own_loan")
    if loan.status != LoanStatus.LISTED:
        raise Conflict(_("this loan is %(status)s, not open for investment") % {"status": loan.get_status_display()},
                       code="not_listed")
    run_invest_checks(investor, loan)  # suitability and risk disclosure (investing registers them)
    check_transition(LoanStatus.LISTED, LoanStatus.FUNDED)
    with transaction.atomic():
        note = Note.objects.create(loan_id=loan_id, investor=investor, amount_minor=amount_minor, auto_invested=auto)
        ledger.freeze(investor, amount_minor, kind="invest_freeze", reference=f"note:{note.pk}")
        status = _take_from_listing(loan_id, amount_minor)
        if status is None:
            _refuse_investment(loan_id)
        funded = status == LoanStatus.FUNDED
        notify(investor, "investment_placed", f"note:{note.pk}",
               {"loan": loan_id, "note": note.pk, "amount_minor": amount_minor})
        if funded:
            notify(loan.borrower_id, "loan_funded", f"loan:{loan_id}",
                   {"loan": loan_id, "amount_minor": _amount(loan_id)})
    if funded:
        disburse_if_funded(loan_id)
        note.refresh_from_db()  # disbursement activated it
    return note


def _take_from_listing(loan_id: int, amount_minor: int) -> str | None:
    """Add a note's amount to a listed loan if it still fits; the loan's new status, or None if it did not.

    One conditional UPDATE (still listed, room left) that also answers whether this note filled
    the loan (``RETURNING``, on SQLite 3.35+ and PostgreSQL): the status becomes funded exactly
    when the amount reaches the loan's. SET expressions read the row as it was before the update.
    """
    q = connection.ops.quote_name
    table = q(Loan._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET funded_minor = funded_minor + %s, "  # noqa: S608 - our identifiers
            "status = CASE WHEN amount_minor = funded_minor + %s THEN %s ELSE status END, version = version + 1 "
            "WHERE id = %s AND status = %s AND funded_minor <= amount_minor - %s RETURNING status",
            [amount_minor, amount_minor, LoanStatus.FUNDED.value, loan_id, LoanStatus.LISTED.value, amount_minor],
        )
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _refuse_investment(loan_id: int) -> None:
    """Say why the conditional UPDATE touched no row (raising rolls the note and the freeze back)."""
    loan = Loan.objects.get(pk=loan_id)
    if loan.status != LoanStatus.LISTED:
        raise Conflict(_("this loan is %(status)s, not open for investment") % {"status": loan.get_status_display()},
                       code="not_listed")
    raise ApplicationError(
        _("only %(left)s CNY of this loan is left to fund") % {"left": format_minor(loan.remaining_minor)},
        code="over_remaining",
        status=409,
    )


def disburse_if_funded(loan_id: int) -> bool:
    """Disburse a fully funded loan: right after funding, and by run-day for any left behind."""
    with transaction.atomic():
        loan = Loan.objects.filter(pk=loan_id, status=LoanStatus.FUNDED).select_related("borrower").first()
        if loan is None:
            return False
        disburse(loan)
        return True


def origination_fee_minor(loan: Loan) -> int:
    # The same rounding as the quote shown before applying (domain.quote.fee_minor).
    from peerlend.domain.quote import fee_minor

    return fee_minor(loan.amount_minor, loan.origination_fee_rate or Decimal(0))


def disburse(loan: Loan) -> None:
    """Funded -> current in one step: cash to the borrower less the fee, notes active, schedule, contract."""
    from peerlend.servicing.services import create_schedule

    today = business_date()
    notes = list(Note.objects.filter(loan=loan, status=NoteStatus.PENDING))
    total = sum(n.amount_minor for n in notes)
    if total != loan.amount_minor:
        raise ApplicationError(f"notes sum to {total}, the loan is {loan.amount_minor}", code="funding_mismatch")
    fee = origination_fee_minor(loan)
    per_investor: dict[int, int] = defaultdict(int)
    for note in notes:
        per_investor[note.investor_id] += note.amount_minor
    by_investor = _by_investor(per_investor)
    accounts_of = ledger.user_accounts_many([loan.borrower] + [investor for investor, _amount in by_investor])
    lines: list[tuple[Any, int]] = [(accounts_of[investor.pk].frozen, -amount) for investor, amount in by_investor]
    lines.append((accounts_of[loan.borrower_id].available, loan.amount_minor - fee))
    if fee:
        lines.append((ledger.platform_account("fee_income"), fee))
    # Guarantee mode risk_reserve: a share of the fee funds the risk reserve (servicing decides how much).
    from peerlend.servicing.services import disbursement_reserve_lines

    lines += disbursement_reserve_lines(fee)
    ledger.post_entry(kind="disburse", lines=lines, reference=f"loan:{loan.pk}", business_date=today)
    Note.objects.filter(pk__in=[n.pk for n in notes]).update(
        status=NoteStatus.ACTIVE, principal_outstanding_minor=F("amount_minor")
    )
    _move(loan, LoanStatus.CURRENT, disbursed_on=today, principal_outstanding_minor=loan.amount_minor)
    installments = create_schedule(loan, start=today)
    parties = masked_parties([loan.borrower] + [investor for investor, _amount in by_investor])
    _make_contract(loan, notes, fee, installments, parties)
    notify(loan.borrower_id, "loan_disbursed", f"loan:{loan.pk}", _loan_context(
        loan, received_minor=loan.amount_minor - fee, fee_minor=fee, first_due=str(installments[0].due_date)))
    notify_many(Notice(n.investor_id, "investment_disbursed", f"note:{n.pk}",
                       {"loan": loan.pk, "note": n.pk, "amount_minor": n.amount_minor}) for n in notes)


def masked_party(user: User) -> str:
    """How a party appears on a contract: masked real name and ID when verified, masked username otherwise."""
    return masked_parties([user])[user.pk]


def masked_parties(users: list[User]) -> dict[int, str]:
    """:func:`masked_party` of each user, by user id, from one read of their identities' masked fields."""
    from peerlend.accounts.models import Identity

    masked = {
        user_id: f"{name} ({resident_id})"
        for user_id, name, resident_id in Identity.objects.filter(user_id__in=[u.pk for u in users])
        .values_list("user_id", "real_name_masked", "resident_id_masked")
    }
    out: dict[int, str] = {}
    for user in users:
        name = user.username
        out[user.pk] = masked.get(user.pk) or name[:2] + "*" * max(len(name) - 2, 1)
    return out


def _make_contract(loan: Loan, notes: list[Note], fee_minor: int, installments: list[Any],
                   parties: dict[int, str]) -> Contract:
    terms = {
        "loan_id": loan.pk,
        "borrower": parties[loan.borrower_id],
        "lenders": [
            {"lender": parties[n.investor_id], "note_id": n.pk, "amount": format_minor(n.amount_minor)} for n in notes
        ],
        "amount": format_minor(loan.amount_minor),
        "currency": loan.currency,
        "annual_rate": str(loan.annual_rate),
        "term_months": loan.term_months,
        "repayment_method": loan.repayment_method,
        "origination_fee": format_minor(fee_minor),
        "purpose": loan.purpose,
        "channel": loan.channel,
        "disbursed_on": loan.disbursed_on.isoformat() if loan.disbursed_on else None,
        "schedule": [
            {
                "number": i.number,
                "due_date": i.due_date.isoformat(),
                "principal": format_minor(i.principal_minor),
                "interest": format_minor(i.interest_minor),
            }
            for i in installments
        ],
    }
    import json

    digest = hashlib.sha256(json.dumps(terms, sort_keys=True).encode()).hexdigest()
    number = f"PL-{loan.disbursed_on:%Y%m%d}-{loan.pk:08d}"
    return Contract.objects.create(loan=loan, number=number, terms=terms, sha256=digest)


def cancel(*, actor: User, loan_id: int, reason: str = "") -> Loan:
    """The borrower (or the filing agent) withdraws the request before funding; investors are refunded."""
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if actor.pk not in (loan.borrower_id, loan.agent_id):
        raise PermissionDenied(_("only the borrower can cancel this application"), code="not_owner")
    why = reason or "cancelled by the borrower"
    with transaction.atomic():
        if loan.status == LoanStatus.LISTED:
            closed = _close_listing(loan.pk, LoanStatus.CANCELLED, kind="listing_cancelled",
                                    closed_on=business_date(), decision_reason=why)
            if closed is None:
                raise Conflict(_("the loan changed meanwhile; reload the page and try again"), code="stale")
            loan = closed
        else:
            loan = _locked_loan(loan_id)
            if loan.status not in CANCELLABLE:
                raise Conflict(
                    _("a loan that is %(status)s can no longer be cancelled") % {"status": loan.get_status_display()},
                    code="not_cancellable",
                )
            _move(loan, LoanStatus.CANCELLED, closed_on=business_date(), decision_reason=why)
        _audit(actor, "loan.cancel", loan, {"status": "listed" if loan.list_expires_on else "pending"},
               {"status": "cancelled"}, reason)
    return loan
