"""Repayment schedules and the platform's business calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
