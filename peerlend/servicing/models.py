"""Repayment schedules and the platform's business calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peerlend.servicing import notice_texts


class PlatformCalendar(models.Model):
    """The single row holding the platform's business date, advanced by ``peerlend run-day``."""

    business_date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"business date {self.business_date}"


class InstallmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    WRITTEN_OFF = "written_off", _("Written off")


class Installment(models.Model):
    """One period of a loan's repayment schedule, built by ``peerlend.domain.schedule``."""

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField(db_index=True)
    principal_minor = models.BigIntegerField()
    interest_minor = models.BigIntegerField()
    principal_paid_minor = models.BigIntegerField(default=0)
    interest_paid_minor = models.BigIntegerField(default=0)
    late_fee_minor = models.BigIntegerField(default=0)
    late_fee_paid_minor = models.BigIntegerField(default=0)
    penalty_minor = models.BigIntegerField(default=0)
    penalty_paid_minor = models.BigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=InstallmentStatus.choices, default=InstallmentStatus.SCHEDULED)
    paid_on = models.DateField(null=True, blank=True)
    # Penalty interest has been accrued up to and including this date (daily batch, idempotent).
    penalty_through = models.DateField(null=True, blank=True)
    # Risk-reserve compensation (代偿): what the reserve paid the holders, and what the borrower
    # has since repaid to the reserve (principal, interest and penalty of a compensated installment).
    compensated_on = models.DateField(null=True, blank=True)
    compensated_principal_minor = models.BigIntegerField(default=0)
    compensated_interest_minor = models.BigIntegerField(default=0)
    reserve_repaid_minor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_unique_number"),
            models.CheckConstraint(
                condition=models.Q(principal_paid_minor__lte=models.F("principal_minor")),
                name="installment_principal_not_overpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"installment {self.number} of loan {self.loan_id}"

    @property
    def payment_minor(self) -> int:
        return self.principal_minor + self.interest_minor

    @property
    def due_minor(self) -> int:
        """What is still owed on this installment, fees and penalty included."""
        return (
            self.principal_minor - self.principal_paid_minor
            + self.interest_minor - self.interest_paid_minor
            + self.late_fee_minor - self.late_fee_paid_minor
            + self.penalty_minor - self.penalty_paid_minor
        )


class PaymentKind(models.TextChoices):
    REPAYMENT = "repayment", _("Repayment")
    AUTO_DEBIT = "auto_debit", _("Auto-debit")
    PREPAYMENT = "prepayment", _("Prepayment in full")
    PARTIAL_PREPAYMENT = "partial_prepayment", _("Partial prepayment")
    RECOVERY = "recovery", _("Recovery after charge-off")
    COMPENSATION = "compensation", _("Risk-reserve compensation")


class ServicingPayment(models.Model):
    """One money movement of a loan after disbursement, mirrored by exactly one ledger entry.

    ``amount_minor`` left the payer (the borrower, or the risk reserve for a compensation) and
    went to: the notes (``principal_to_notes + interest_to_notes``, of which ``service_fee`` went
    on to fee_income), fee_income (``late_fee``) and the risk reserve (``to_reserve``).
    """

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="servicing_payments")
    kind = models.CharField(max_length=20, choices=PaymentKind.choices)
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    amount_minor = models.BigIntegerField()
    principal_to_notes_minor = models.BigIntegerField(default=0)
    interest_to_notes_minor = models.BigIntegerField(default=0)  # interest and penalty interest
    service_fee_minor = models.BigIntegerField(default=0)
    late_fee_minor = models.BigIntegerField(default=0)
    to_reserve_minor = models.BigIntegerField(default=0)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="servicing_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} on loan {self.loan_id}"


class BatchStep(models.Model):
    """A step of ``peerlend run-day`` that completed for a business date (a re-run skips it)."""

    business_date = models.DateField()
    step = models.CharField(max_length=30)
    loans = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business_date", "step"], name="batch_step_once")]

    def __str__(self) -> str:
        return f"{self.step} {self.business_date}"


class CompensationPending(models.Model):
    """A compensation the reserve could not pay (empty): retried daily, disclosed until paid."""

    installment = models.OneToOneField(Installment, on_delete=models.CASCADE, related_name="compensation_pending")
    amount_minor = models.BigIntegerField()
    since = models.DateField()
    last_tried = models.DateField()

    def __str__(self) -> str:
        return f"compensation pending for {self.installment}"


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    """One message on one channel for one event; (user, event_key, channel) is unique.

    The row keeps the event and its plain parameters, not text: ``subject`` and ``body`` are written
    at read time in the reader's current language (``servicing.notice_texts``). Rows written before
    the parameters were kept (``params`` is null) show the text they were written with.

    The inbox row is the message itself; e-mail and SMS rows are delivered through the outbox
    (``ledger.outbox``, kind ``notice``) after the writing transaction commits, and retried.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (no address)")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=120)
    # The kind of event (peerlend.servicing.notices.EVENTS); empty on rows written before it was kept.
    event = models.CharField(max_length=40, blank=True, default="")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The event's values (ids, integer minor units, ISO dates); null on rows written before they were kept.
    params = models.JSONField(null=True, blank=True)
    # The text as written in one language: what rows written before ``params`` say, and the fallback
    # should an event's wording ever be withdrawn.
    fallback_subject = models.CharField(max_length=200, blank=True, default="")
    fallback_body = models.TextField(blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key", "channel"], name="notification_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event_key}"

    def text(self, language: str | None = None) -> tuple[str, str]:
        """(subject, body) in ``language``, else the active language; the stored text when it cannot be rendered."""
        if self.params is not None and notice_texts.known(self.event):
            try:
                return notice_texts.render(self.event, self.params, language=language)
            except (KeyError, ValueError, TypeError):  # a value the wording needs is missing or malformed
                pass
        return self.fallback_subject, self.fallback_body

    @property
    def subject(self) -> str:
        return self.text()[0]

    @property
    def body(self) -> str:
        return self.text()[1]


class NotificationPreference(models.Model):
    """The channels a member chose. The inbox is always on; no row means e-mail and SMS both on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.BooleanField(_("E-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ContactNote(models.Model):
    """A collections agent's record of contacting a borrower."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("SMS")
        VISIT = "visit", _("Visit")
        OTHER = "other", _("Other")

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="contact_notes")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"contact on loan {self.loan_id}"


class PromiseToPay(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="promises")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    promised_on = models.DateField()
    recorded_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="promise_positive")]

    def __str__(self) -> str:
        return f"promise {self.amount_minor} by {self.promised_on} on loan {self.loan_id}"
