"""Records of the service-point network (issue 15 part 6): visits, field verifications, counter takings.

Accounts owns service points and their staff (DESIGN.md), so what staff do at a point is kept
here. Loans, payments and journal entries are referenced by string: no import of a higher layer.
Every amount is in minor units with a documented range, checked by the database too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Documented ranges (docs: issue 15 part 6). A payment taken at a counter: 0.01 to 50,000.00 CNY;
# a counted cash day: 0 to 10,000,000.00 CNY. Notes: at most 2000 characters.
MAX_COUNTER_MINOR = 50_000_00
MAX_COUNTED_MINOR = 10_000_000_00
MAX_NOTES = 2000
MAX_PHOTOS = 6


class VisitPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration help")
    DOCUMENTS = "documents", _("Document collection")
    FOLLOW_UP = "follow_up", _("Post-loan follow-up")
    COLLECTION = "collection", _("Collection")


class PointVisit(models.Model):
    """An agent met a member of their point; follow-up and collection visits name the disbursed loan."""

    service_point = models.ForeignKey("accounts.ServicePoint", on_delete=models.PROTECT, related_name="visits")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_visits")
    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=16, choices=VisitPurpose.choices)
    notes = models.TextField(_("notes"), max_length=MAX_NOTES, blank=True, default="")
    visited_on = models.DateField(_("visit date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"visit {self.pk} {self.purpose} of {self.member_id}"


class FieldResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NEEDS_MORE = "needs_more", _("Needs more information")


class FieldVerification(models.Model):
    """实地认证: an agent checked a borrower's application in person, item by item."""

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="field_verifications")
    service_point = models.ForeignKey("accounts.ServicePoint", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("overall result"), max_length=12, choices=FieldResult.choices)
    notes = models.TextField(_("notes"), max_length=MAX_NOTES, blank=True, default="")
    visited_on = models.DateField(_("visit date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"field verification {self.pk} of loan {self.loan_id}: {self.result}"


class CheckItem(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    WORKPLACE = "workplace", _("Workplace")
    INCOME = "income", _("Income documents")
    COLLATERAL = "collateral", _("Collateral")


class CheckResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    DISCREPANCY = "discrepancy", _("Discrepancy found")
    NOT_CHECKED = "not_checked", _("Not checked")


class FieldCheck(models.Model):
    verification = models.ForeignKey(FieldVerification, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("what was checked"), max_length=12, choices=CheckItem.choices)
    result = models.CharField(_("result"), max_length=12, choices=CheckResult.choices)
    notes = models.CharField(_("notes"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["verification", "item"], name="uniq_field_check_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.result}"


class FieldPhoto(models.Model):
    """A photo taken on a field visit; stored like loan documents, outside public URLs, staff only."""

    verification = models.ForeignKey(FieldVerification, on_delete=models.CASCADE, related_name="photos")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=80)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"photo {self.pk} of verification {self.verification_id}"


class CounterMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")


class CounterReceipt(models.Model):
    """A repayment received at a point: the cash-in entry through clearing and the servicing payment it made."""

    service_point = models.ForeignKey("accounts.ServicePoint", on_delete=models.PROTECT, related_name="receipts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counter_receipts")
    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="counter_receipts")
    method = models.CharField(_("method"), max_length=8, choices=CounterMethod.choices)
    amount_minor = models.BigIntegerField(_("amount"))
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField("servicing.ServicingPayment", on_delete=models.PROTECT,
                                   related_name="counter_receipt")
    business_date = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0) & Q(amount_minor__lte=MAX_COUNTER_MINOR),
                                   name="counter_receipt_amount_range"),
        ]

    def __str__(self) -> str:
        return f"receipt {self.pk} {self.method} {self.amount_minor}"


class PointDayClose(models.Model):
    """A point's counted cash for one business day, deposited to custody, against what the books expect."""

    service_point = models.ForeignKey("accounts.ServicePoint", on_delete=models.PROTECT, related_name="day_closes")
    business_date = models.DateField()
    counted_cash_minor = models.BigIntegerField(_("counted cash"))
    expected_cash_minor = models.BigIntegerField()
    card_minor = models.BigIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deposit_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    card_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "service_point_id"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "business_date"], name="uniq_point_day_close"),
            models.CheckConstraint(
                condition=Q(counted_cash_minor__gte=0) & Q(counted_cash_minor__lte=MAX_COUNTED_MINOR),
                name="point_day_close_counted_range"),
        ]

    def __str__(self) -> str:
        return f"day {self.business_date} of point {self.service_point_id}"

    @property
    def difference_minor(self) -> int:
        """Counted minus expected: negative is a shortage, positive a surplus."""
        return self.counted_cash_minor - self.expected_cash_minor
