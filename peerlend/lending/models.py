"""Loans from application to disbursement, the notes investors hold, and review records.

A ``Loan`` is one borrowing request for its whole life: it carries the applicant's facts
(the credit model reads them), the price the platform set, and the status that only
``peerlend.domain.lifecycle`` may change (through ``lending.services``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peerlend.domain.lifecycle import CANCELLABLE, LoanStatus
from peerlend.domain.schedule import METHODS
from peerlend.domain_errors import register_value_labels


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline service point")


class BorrowerType(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Purpose(models.TextChoices):
    DEBT_CONSOLIDATION = "debt_consolidation", _("Debt consolidation")
    BUSINESS = "business", _("Small business")
    EDUCATION = "education", _("Education")
    HOME_IMPROVEMENT = "home_improvement", _("Home improvement")
    MEDICAL = "medical", _("Medical")
    CAR = "car", _("Car")
    WEDDING = "wedding", _("Wedding")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class Housing(models.TextChoices):
    OWN = "own", _("Own")
    MORTGAGE = "mortgage", _("Mortgage")
    RENT = "rent", _("Rent")
    FAMILY = "family", _("With family")
    OTHER = "other", _("Other")


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = "equal_installment", _("Equal installments (等额本息)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal (等额本金)")
    INTEREST_ONLY = "interest_only", _("Interest only, principal at the end (先息后本)")
    BULLET = "bullet", _("Principal and interest at maturity (到期还本付息)")


assert set(RepaymentMethod.values) == set(METHODS), "repayment methods must match the domain core"
STATUS_LABELS = {
    LoanStatus.DRAFT: _("Draft"),
    LoanStatus.SUBMITTED: _("Submitted"),
    LoanStatus.UNDER_REVIEW: _("Under review"),
    LoanStatus.DOCUMENTS_REQUESTED: _("Documents requested"),
    LoanStatus.APPROVED: _("Approved"),
    LoanStatus.REJECTED: _("Rejected"),
    LoanStatus.LISTED: _("Listed"),
    LoanStatus.FUNDED: _("Funded"),
    LoanStatus.EXPIRED: _("Expired"),
    LoanStatus.CANCELLED: _("Cancelled"),
    LoanStatus.CURRENT: _("Current"),
    LoanStatus.LATE: _("Late"),
    LoanStatus.DEFAULTED: _("Defaulted"),
    LoanStatus.CHARGED_OFF: _("Charged off"),
    LoanStatus.FULLY_PAID: _("Fully paid"),
    LoanStatus.PREPAID: _("Prepaid"),
}
assert set(STATUS_LABELS) == set(LoanStatus), "every loan status needs a label"
# Refusals of the state machine name statuses: shown with these labels (peerlend.domain_errors).
register_value_labels(STATUS_LABELS)
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in LoanStatus]


class Loan(models.Model):
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loans")
    borrower_type = models.CharField(max_length=10, choices=BorrowerType.choices, default=BorrowerType.PERSON)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="filed_loans"
    )
    service_point = models.ForeignKey(
        "accounts.ServicePoint", null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )

    # The request.
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    term_months = models.PositiveSmallIntegerField()
    repayment_method = models.CharField(max_length=20, choices=RepaymentMethod.choices)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    # The applicant's financial facts (names follow the credit model's inputs).
    annual_income_minor = models.BigIntegerField()
    employment_years = models.PositiveSmallIntegerField(null=True, blank=True)
    housing = models.CharField(max_length=10, choices=Housing.choices, default=Housing.RENT)
    monthly_debt_payments_minor = models.BigIntegerField(default=0)
    income_verified = models.BooleanField(default=False)
    region = models.CharField(max_length=20, blank=True)
    delinq_2yrs = models.PositiveSmallIntegerField(default=0)
    inq_last_6mths = models.PositiveSmallIntegerField(default=0)
    inq_last_12m = models.PositiveSmallIntegerField(null=True, blank=True)
    inq_fi = models.PositiveSmallIntegerField(null=True, blank=True)
    revol_util_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    all_util_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    acc_now_delinq = models.PositiveSmallIntegerField(default=0)
    delinq_amnt_minor = models.BigIntegerField(default=0)
    open_il_6m = models.PositiveSmallIntegerField(null=True, blank=True)
    open_il_12m = models.PositiveSmallIntegerField(null=True, blank=True)
    open_il_24m = models.PositiveSmallIntegerField(null=True, blank=True)
    num_il_tl = models.PositiveSmallIntegerField(null=True, blank=True)
    total_bal_il_minor = models.BigIntegerField(null=True, blank=True)
    total_il_high_credit_limit_minor = models.BigIntegerField(null=True, blank=True)

    # Scoring and price, fixed when the application is scored.
    pd = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    credit_score = models.IntegerField(null=True, blank=True)
    grade = models.CharField(max_length=2, blank=True, db_index=True)
    annual_rate = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    origination_fee_rate = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    score_reasons = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=40, blank=True)

    status = models.CharField(max_length=24, choices=STATUS_CHOICES, default=LoanStatus.DRAFT, db_index=True)
    # Bumped on every status change; pages send it back so a stale page is refused.
    version = models.PositiveIntegerField(default=0)
    decision_reason = models.TextField(blank=True)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    funded_minor = models.BigIntegerField(default=0)
    principal_outstanding_minor = models.BigIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True, db_index=True)  # business date
    decided_at = models.DateTimeField(null=True, blank=True)
    listed_on = models.DateField(null=True, blank=True)
    list_expires_on = models.DateField(null=True, blank=True, db_index=True)
    disbursed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(funded_minor__gte=0) & models.Q(funded_minor__lte=models.F("amount_minor")),
                name="loan_funded_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1) & models.Q(term_months__lte=60), name="loan_term_range"
            ),
        ]

    def __str__(self) -> str:
        return f"loan {self.pk} ({self.status})"

    @property
    def headline(self) -> str:
        """The borrower's title, else purpose and term in the reader's language (not stored: a default title
        written at application time would stay in the applicant's language for every reader)."""
        if self.title:
            return self.title
        from django.utils.translation import gettext

        return gettext("%(purpose)s · %(term)s months") % {"purpose": self.get_purpose_display(),
                                                           "term": self.term_months}

    @property
    def remaining_minor(self) -> int:
        return self.amount_minor - self.funded_minor

    @property
    def cancellable(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def funded_pct(self) -> int:
        return self.funded_minor * 100 // self.amount_minor if self.amount_minor else 0


class LoanDocument(models.Model):
    """A file an applicant or agent supplied; stored outside public URLs, shown to staff only."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Proof of income")
        IDENTITY = "identity", _("Identity document")
        EMPLOYMENT = "employment", _("Employment letter")
        COLLATERAL = "collateral", _("Collateral")
        OTHER = "other", _("Other")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=80)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_in_person = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} for loan {self.loan_id}"


class FraudHit(models.Model):
    """One anti-fraud rule that fired on an application, with its reason."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="fraud_hits")
    rule = models.CharField(max_length=40)
    blocking = models.BooleanField(default=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.rule} on loan {self.loan_id}"


class Blacklist(models.Model):
    """Identities the platform refuses to lend to, by the KYC blind index of the resident ID."""

    id_index = models.CharField(max_length=64, unique=True)
    reason = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"blacklisted {self.id_index[:8]}"


class ReviewDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        FIRST_APPROVAL = "first_approval", _("First approval (second officer needed)")
        REJECT = "reject", _("Reject")
        REQUEST_DOCUMENTS = "request_documents", _("Ask for more documents")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="decisions")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.decision} on loan {self.loan_id}"


class NoteStatus(models.TextChoices):
    PENDING = "pending", _("Funding (cash frozen)")
    ACTIVE = "active", _("Active")
    REFUNDED = "refunded", _("Refunded")
    PAID = "paid", _("Paid off")
    CHARGED_OFF = "charged_off", _("Charged off")
    SOLD = "sold", _("Sold")


class Note(models.Model):
    """An investor's share of one loan. Principal and interest balances move with repayments."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="notes")
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes")
    amount_minor = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=NoteStatus.choices, default=NoteStatus.PENDING, db_index=True)
    principal_outstanding_minor = models.BigIntegerField(default=0)
    principal_received_minor = models.BigIntegerField(default=0)
    interest_received_minor = models.BigIntegerField(default=0)
    fees_paid_minor = models.BigIntegerField(default=0)
    charged_off_minor = models.BigIntegerField(default=0)
    auto_invested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The platform's business date the note was bought on: the daily investment limit sums by it.
    placed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["investor", "placed_on"], name="lending_note_investor_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="note_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(principal_outstanding_minor__gte=0), name="note_principal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on loan {self.loan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new note records the business date it was bought on (bulk-created notes leave it empty).
        if self._state.adding and self.placed_on is None:
            from peerlend.clock import business_date

            self.placed_on = business_date()
        super().save(*args, **kwargs)


class Contract(models.Model):
    """The loan agreement: a frozen snapshot of the terms; the PDF is rendered from it."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(max_length=40, unique=True)
    terms = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number
