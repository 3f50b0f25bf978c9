"""Public notices of major risk events and dated per-loan facts (issue 16, parts 3 and 4).

Both are records of what the platform said and when: a published event is never edited or deleted
(a correction is a new event linked to it), and a loan fact is appended, never changed, so that an
investor can be shown what was known on the day they invested.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from peerlend.errors import Conflict

# Documented ranges (forms, services and the database agree).
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_FACT_BODY = 4_000


class EventCategory(models.TextChoices):
    OPERATIONS = "operations", _("Operations and business continuity")
    CUSTODY = "custody", _("Custody bank or funds")
    REGULATORY = "regulatory", _("Regulatory action or penalty")
    LITIGATION = "litigation", _("Litigation against the platform")
    CONTROL = "control", _("Shareholders, control or management")
    CREDIT = "credit", _("Large defaults or credit losses")
    SECURITY = "security", _("Information security incident")
    OTHER = "other", _("Other")


class EventSeverity(models.TextChoices):
    NOTICE = "notice", _("Notice")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EventLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class RiskEvent(models.Model):
    """A major-risk-event notice: drafted by an operator, then published for good.

    The title and body are kept in the language they were typed in (``language``); a correction or
    an update is a new event whose ``follows`` names the earlier one.
    """

    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField()
    language = models.CharField(max_length=8, choices=EventLanguage.choices, default=EventLanguage.ZH_HANS)
    category = models.CharField(max_length=16, choices=EventCategory.choices)
    severity = models.CharField(max_length=8, choices=EventSeverity.choices)
    occurred_on = models.DateField()
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True)
    follows = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_on = models.DateField(null=True, blank=True)  # business date
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="risk_event_title_present"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), MAX_BODY), name="risk_event_body_length"),
            models.CheckConstraint(condition=models.Q(status__in=["draft", "published"]),
                                   name="risk_event_status_known"),
            models.CheckConstraint(
                condition=models.Q(status="draft", published_on__isnull=True)
                | models.Q(status="published", published_on__isnull=False, published_by__isnull=False),
                name="risk_event_published_dated"),
        ]

    def __str__(self) -> str:
        return f"risk event {self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A second guard behind the services: a published notice is what the public read; never rewrite it.
        if self._stored_status() == EventStatus.PUBLISHED:
            raise Conflict(str(_("a published risk event cannot be changed; publish a follow-up instead")),
                           code="risk_event_published")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_status() == EventStatus.PUBLISHED:
            raise Conflict(str(_("a published risk event cannot be deleted")), code="risk_event_published")
        return super().delete(*args, **kwargs)

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return RiskEvent.objects.filter(pk=self.pk).values_list("status", flat=True).first()


class FactKind(models.TextChoices):
    USE_OF_FUNDS = "use_of_funds", _("Use of funds (reported by the borrower)")
    REPAYMENT_ABILITY = "repayment_ability", _("Change in repayment ability")
    LITIGATION = "litigation", _("Litigation involving the borrower")
    PENALTY = "penalty", _("Administrative penalty on the borrower")
    OTHER = "other", _("Other material fact")


# Kinds a risk officer or collections agent records; the borrower reports only the use of funds.
OFFICER_FACT_KINDS: tuple[str, ...] = (FactKind.REPAYMENT_ABILITY, FactKind.LITIGATION, FactKind.PENALTY,
                                       FactKind.OTHER)


class LoanFact(models.Model):
    """One dated fact about a loan, shown to investors from ``visible_from`` on; appended, never changed."""

    loan = models.ForeignKey("lending.Loan", on_delete=models.PROTECT, related_name="disclosure_facts")
    kind = models.CharField(max_length=20, choices=FactKind.choices)
    body = models.TextField()
    # Plain values that go with the text (a court case number, a penalty amount in minor units, ...).
    values = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateField()  # business date
    visible_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visible_from", "-id"]
        indexes = [models.Index(fields=["loan", "visible_from"], name="loan_fact_visible")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="loan_fact_body_present"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), MAX_FACT_BODY),
                                   name="loan_fact_body_length"),
            models.CheckConstraint(condition=models.Q(visible_from__gte=models.F("recorded_at")),
                                   name="loan_fact_visible_after_recorded"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["use_of_funds", "repayment_ability", "litigation", "penalty", "other"]),
                name="loan_fact_kind_known"),
        ]

    def __str__(self) -> str:
        return f"fact {self.pk} on loan {self.loan_id} ({self.kind})"
