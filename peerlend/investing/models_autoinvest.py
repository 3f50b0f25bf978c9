"""Models of auto-invest: an investor's rules and the record of every placement and skip."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["AutoInvestDecision", "AutoInvestRound", "AutoInvestRule", "CutoffReason", "DecisionOutcome",
           "DecisionReason", "RoundTrigger"]

#: Documented ranges (the forms, the API and the database constraints share them).
MAX_RATE_BP = 3_600  # 36 % a year: no listed loan is priced above it
MAX_NOTES_PER_LOAN = 10
MAX_RULES_PER_INVESTOR = 20
MAX_AMOUNT_MINOR = 10_000_000_00  # 10 million CNY: above any loan or cap the platform allows


class AutoInvestRule(models.Model):
    """What an investor wants bought automatically. Empty criteria lists mean "any"."""

    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="auto_invest_rules")
    name = models.CharField(max_length=80)
    enabled = models.BooleanField(default=True)
    grades = models.JSONField(default=list, blank=True, help_text=_("grade letters A-E (or sub-grades)"))
    terms = models.JSONField(default=list, blank=True, help_text=_("terms in months"))
    repayment_methods = models.JSONField(default=list, blank=True)
    purposes = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    min_rate_bp = models.PositiveIntegerField(default=0, help_text=_("minimum annual rate, basis points"))
    amount_per_note_minor = models.BigIntegerField()
    max_per_loan_minor = models.BigIntegerField()
    max_borrower_share_bp = models.PositiveIntegerField(default=200)
    cash_reserve_minor = models.BigIntegerField(default=0)
    monthly_cap_minor = models.BigIntegerField(null=True, blank=True, help_text=_("empty: no monthly cap"))
    notes_per_loan = models.PositiveSmallIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["enabled", "id"], name="autoinvest_rule_enabled")]
        constraints = [
            models.CheckConstraint(condition=Q(min_rate_bp__lte=MAX_RATE_BP), name="autoinvest_rule_rate_range"),
            models.CheckConstraint(
                condition=Q(amount_per_note_minor__gt=0) & Q(amount_per_note_minor__lte=MAX_AMOUNT_MINOR),
                name="autoinvest_rule_amount_range"),
            models.CheckConstraint(
                condition=Q(max_per_loan_minor__gte=models.F("amount_per_note_minor"))
                & Q(max_per_loan_minor__lte=MAX_AMOUNT_MINOR),
                name="autoinvest_rule_max_per_loan_range"),
            models.CheckConstraint(
                condition=Q(max_borrower_share_bp__gte=1) & Q(max_borrower_share_bp__lte=10_000),
                name="autoinvest_rule_borrower_share_range"),
            models.CheckConstraint(
                condition=Q(cash_reserve_minor__gte=0) & Q(cash_reserve_minor__lte=MAX_AMOUNT_MINOR),
                name="autoinvest_rule_reserve_range"),
            models.CheckConstraint(
                condition=Q(monthly_cap_minor__isnull=True)
                | (Q(monthly_cap_minor__gt=0) & Q(monthly_cap_minor__lte=MAX_AMOUNT_MINOR)),
                name="autoinvest_rule_monthly_cap_range"),
            models.CheckConstraint(
                condition=Q(notes_per_loan__gte=1) & Q(notes_per_loan__lte=MAX_NOTES_PER_LOAN),
                name="autoinvest_rule_notes_per_loan_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.investor_id})"

    @property
    def min_rate_pct(self) -> Decimal:
        """The minimum rate in percent (basis points / 100), for display."""
        return (Decimal(self.min_rate_bp) / 100).quantize(Decimal("0.01"))


class RoundTrigger(models.TextChoices):
    LISTING = "listing", _("Loan listed")
    DAILY = "daily", _("Daily run")
    COMMAND = "command", _("On demand")


class CutoffReason(models.TextChoices):
    LOAN_ROOM = "loan_room", _("The part open to auto-invest was taken before your turn")
    NOT_LISTED = "not_listed", _("The loan closed before your turn")


class AutoInvestRound(models.Model):
    """One run of the rules over one loan. Unique per (loan, business date, trigger): a re-run is a no-op."""

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="auto_invest_rounds")
    business_date = models.DateField()
    trigger = models.CharField(max_length=10, choices=RoundTrigger.choices)
    candidates = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    placed_minor = models.BigIntegerField(default=0)
    # The cut-off: how many candidates the walk down the fair order reached, why it stopped before the
    # rest, and the idle-cash share (parts per million) of the last one reached. The candidates it did
    # not reach have no decision row; the activity page explains from these.
    reached = models.PositiveIntegerField(default=0)
    cutoff_reason = models.CharField(max_length=16, blank=True, default="", choices=CutoffReason.choices)
    last_reached_share_ppm = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan", "business_date", "trigger"],
                                    name="autoinvest_one_round_per_trigger_day"),
            models.CheckConstraint(condition=Q(last_reached_share_ppm__lte=1_000_000),
                                   name="autoinvest_round_share_ppm_range"),
        ]

    def __str__(self) -> str:
        return f"auto-invest round {self.pk} on loan {self.loan_id}"


class DecisionOutcome(models.TextChoices):
    PLACED = "placed", _("Invested")
    SKIPPED = "skipped", _("Not invested")


class DecisionReason(models.TextChoices):
    PLACED = "placed", _("Note bought")
    OWN_LOAN = "own_loan", _("Your own loan")
    NOTES_PER_LOAN = "notes_per_loan", _("Already holds the notes the rule allows in this loan")
    MAX_PER_LOAN = "max_per_loan", _("Maximum per loan reached")
    INSUFFICIENT_CASH = "insufficient_cash", _("Not enough available cash")
    CASH_RESERVE = "cash_reserve", _("Cash reserve kept")
    BORROWER_CONCENTRATION = "borrower_concentration", _("Maximum share per borrower reached")
    MONTHLY_CAP = "monthly_cap", _("Monthly cap reached")
    LOAN_ROOM = "loan_room", _("Nothing left for auto-invest (the last part is left to manual investors)")
    NOT_LISTED = "not_listed", _("The loan was no longer open for investment")
    INSUFFICIENT_FUNDS = "insufficient_funds", _("The cash was no longer available when the note was placed")
    KYC_REQUIRED = "kyc_required", _("Real-name verification (KYC) not completed")
    FORBIDDEN_ROLE = "forbidden_role", _("Not an investor")
    SUITABILITY_REQUIRED = "suitability_required", _("Risk questionnaire not answered")
    SUITABILITY_EXPIRED = "suitability_expired", _("Risk assessment expired")
    GRADE_ABOVE_RISK_LEVEL = "grade_above_risk_level", _("Loan grade above your risk level")
    DISCLOSURE_REQUIRED = "disclosure_required", _("Risk disclosure not acknowledged")
    LIMIT_EXCEEDED = "limit_exceeded", _("Investment limit reached")
    REFUSED = "refused", _("Refused by an investment check")


class AutoInvestDecision(models.Model):
    """One placement or skip of one investor's rule in one round, with the figures behind it."""

    round = models.ForeignKey(AutoInvestRound, on_delete=models.CASCADE, related_name="decisions")
    rule = models.ForeignKey(AutoInvestRule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="decisions")
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="auto_invest_decisions")
    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="auto_invest_decisions")
    outcome = models.CharField(max_length=8, choices=DecisionOutcome.choices)
    reason = models.CharField(max_length=32, choices=DecisionReason.choices)
    amount_minor = models.BigIntegerField(default=0)
    note = models.ForeignKey("lending.Note", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["investor", "loan"], name="autoinvest_decision_inv_loan"),
            models.Index(fields=["investor", "-id"], name="autoinvest_decision_inv_id"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gte=0),
                                              name="autoinvest_decision_amount_nonneg")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.investor_id} on loan {self.loan_id} ({self.reason})"
