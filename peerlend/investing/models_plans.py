"""Models of lock-in wealth plans: the plan an operator defines and the investors' subscriptions.

A plan never holds money itself: each subscriber's plan money stays in the subscriber's own
frozen account (entries of kind ``plan_commit``, reference ``plan:<id>:sub:<id>``) until the plan
buys notes with it, and every note is in the subscriber's own name (``PlanNote`` links it back).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerlend.domain.schedule import add_months

__all__ = ["PlanHeadStart", "PlanNote", "PlanStatus", "PlanSubscription", "SubscriptionStatus", "WealthPlan"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for subscription")
    LOCKED = "locked", _("Locked in")
    EXITING = "exiting", _("Exiting (notes held to maturity)")
    CLOSED = "closed", _("Closed")


class WealthPlan(models.Model):
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True)
    target_minor = models.BigIntegerField()
    subscribe_from = models.DateField(help_text=_("first business date investors may join"))
    subscribe_until = models.DateField(
        help_text=_("last business date investors may join; lock-in starts the day after"))
    lock_months = models.PositiveSmallIntegerField()
    exit_months = models.PositiveSmallIntegerField(
        default=0, help_text=_("stated exit period: the plan buys only loans that mature within lock-in plus this"))
    expected_rate_low = models.DecimalField(max_digits=6, decimal_places=4)
    expected_rate_high = models.DecimalField(max_digits=6, decimal_places=4)
    grades = models.JSONField(default=list, help_text=_("eligible grade letters, e.g. [\"A\", \"B\"]"))
    max_share_bp = models.PositiveIntegerField(help_text=_("most of one loan the plan may buy, basis points"))
    min_subscription_minor = models.BigIntegerField()
    max_subscription_minor = models.BigIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    locked_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(target_minor__gt=0), name="plan_target_positive"),
            models.CheckConstraint(condition=models.Q(max_share_bp__gte=1) & models.Q(max_share_bp__lte=10000),
                                   name="plan_max_share_range"),
            models.CheckConstraint(
                condition=models.Q(min_subscription_minor__gt=0)
                & models.Q(max_subscription_minor__gte=models.F("min_subscription_minor")),
                name="plan_subscription_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def lock_starts_on(self) -> date:
        return self.subscribe_until + timedelta(days=1)

    @property
    def lock_ends_on(self) -> date:
        return add_months(self.lock_starts_on, self.lock_months)

    @property
    def latest_maturity(self) -> date:
        """No term splitting: a loan the plan buys must mature by this date (lock-in end plus exit period)."""
        return add_months(self.lock_ends_on, self.exit_months)


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("plan subscription", "Active")
    LEFT = "left", _("Left during the subscription window")
    EXITED = "exited", _("Exited at the end of lock-in")


class PlanSubscription(models.Model):
    plan = models.ForeignKey(WealthPlan, on_delete=models.PROTECT, related_name="subscriptions")
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_subscriptions")
    amount_minor = models.BigIntegerField(help_text=_("amount joined with"))
    reinvest = models.BooleanField(
        help_text=_("received interest and principal go back into plan money during lock-in"))
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)
    uninvested_minor = models.BigIntegerField(help_text=_("plan money frozen in the investor's own account"))
    invested_minor = models.BigIntegerField(default=0, help_text=_("total placed in notes"))
    reinvested_minor = models.BigIntegerField(default=0, help_text=_("receipts moved back into plan money"))
    swept_minor = models.BigIntegerField(default=0, help_text=_("receipts of plan notes already looked at"))
    joined_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "investor"], condition=~models.Q(status="left"),
                                    name="one_live_subscription_per_plan"),
            models.CheckConstraint(condition=models.Q(uninvested_minor__gte=0), name="plan_uninvested_not_negative"),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} investor {self.investor_id}"

    @property
    def reference(self) -> str:
        return f"plan:{self.plan_id}:sub:{self.pk}"


class PlanNote(models.Model):
    """A note the plan bought with a subscriber's money (the note itself is in the subscriber's name)."""

    subscription = models.ForeignKey(PlanSubscription, on_delete=models.PROTECT, related_name="plan_notes")
    note = models.OneToOneField("lending.Note", on_delete=models.PROTECT, related_name="plan_note")
    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(WealthPlan, on_delete=models.PROTECT, related_name="plan_notes")

    class Meta:
        indexes = [models.Index(fields=["plan", "loan"], name="plan_note_plan_loan")]

    def __str__(self) -> str:
        return f"plan {self.plan_id} note {self.note_id}"


class PlanHeadStart(models.Model):
    """A freshly listed loan that plans may bid on alone until ``public_from``."""

    loan = models.OneToOneField("lending.Loan", on_delete=models.CASCADE, related_name="plan_head_start")
    public_from = models.DateTimeField()

    def __str__(self) -> str:
        return f"loan {self.loan_id} public from {self.public_from}"
