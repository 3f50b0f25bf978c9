"""Staff performance (issue 15 part 7): monthly targets, commissions, and agents' one-to-one marketing.

A month is stored as the date of its first day. Counts and amounts have documented ranges, held by
the database as well as by the forms (``staff.targets.RANGES``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Ranges of one month's target (the forms and the database say the same).
MAX_TARGET_COUNT = 100_000
MAX_TARGET_AMOUNT_MINOR = 1_000_000_000_00  # 1,000,000,000.00 CNY a month

COUNT_FIELDS = ("members_registered", "identities_verified", "applications_originated", "loans_repaid_on_time")
AMOUNT_FIELDS = ("amount_originated_minor", "collections_recovered_minor")


def _in_range(field: str, high: int) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": 0, f"{field}__lte": high}),
                                  name=f"staff_target_{field}_range")


class StaffTarget(models.Model):
    """One month's targets for one agent or for one service point (exactly one of the two)."""

    month = models.DateField(_("month"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="staff_targets", verbose_name=_("agent"))
    service_point = models.ForeignKey("accounts.ServicePoint", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="staff_targets", verbose_name=_("service point"))
    members_registered = models.PositiveIntegerField(_("members registered"), default=0)
    identities_verified = models.PositiveIntegerField(_("identities verified"), default=0)
    applications_originated = models.PositiveIntegerField(_("applications originated"), default=0)
    amount_originated_minor = models.BigIntegerField(_("amount originated"), default=0)
    loans_repaid_on_time = models.PositiveIntegerField(_("loans repaid on time"), default=0)
    collections_recovered_minor = models.BigIntegerField(_("collections recovered"), default=0)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(agent__isnull=False, service_point__isnull=True)
                                   | Q(agent__isnull=True, service_point__isnull=False),
                                   name="staff_target_agent_xor_point"),
            models.UniqueConstraint(fields=["month", "agent"], condition=Q(agent__isnull=False),
                                    name="staff_target_one_per_agent_month"),
            models.UniqueConstraint(fields=["month", "service_point"], condition=Q(service_point__isnull=False),
                                    name="staff_target_one_per_point_month"),
            *[_in_range(f, MAX_TARGET_COUNT) for f in COUNT_FIELDS],
            *[_in_range(f, MAX_TARGET_AMOUNT_MINOR) for f in AMOUNT_FIELDS],
        ]

    def __str__(self) -> str:
        who = f"agent {self.agent_id}" if self.agent_id else f"point {self.service_point_id}"
        return f"target {self.month:%Y-%m} {who}"


class Commission(models.Model):
    """One agent's commission for one month under one rule: accrued in the ledger, then paid out.

    Unique per (agent, month, rule): booking a month twice books nothing the second time. ``params``
    keeps the rule as it was applied, so the figure can be recomputed from the loan tables.
    """

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions")
    month = models.DateField()
    rule = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    basis_count = models.PositiveIntegerField(default=0)
    basis_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField()
    accrual_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    payout_entry = models.OneToOneField("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    withdrawal = models.OneToOneField("ledger.Withdrawal", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "agent_id", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "month", "rule"], name="commission_once_per_agent_month_rule"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0, amount_minor__lte=10**13),
                                   name="commission_amount_range"),
        ]

    def __str__(self) -> str:
        return f"commission {self.month:%Y-%m} {self.rule} agent {self.agent_id}"


class CommissionRun(models.Model):
    """A month whose commissions were computed and booked (the run-day step does each month once)."""

    month = models.DateField(unique=True)
    business_date = models.DateField()
    commissions = models.PositiveIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"commission run {self.month:%Y-%m}"


class MemberTag(models.Model):
    """A tag an agent put on a member (campaign segments select members by tag)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_tags")
    tag = models.CharField(_("tag"), max_length=32)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["member", "tag"], name="member_tag_once")]
        indexes = [models.Index(fields=["tag"], name="member_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.tag}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit at the point")
    MESSAGE = "message", _("Message")
    OTHER = "other", _("Other")


class MemberContact(models.Model):
    """A one-to-one marketing contact an agent logged with one of their members."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_contacts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=8, choices=ContactMethod.choices)
    note = models.CharField(_("note"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"contact {self.member_id} by {self.agent_id}"
