"""Models of the investing context: investor suitability and risk-disclosure acknowledgements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peerlend.investing.questionnaire import RiskLevel


class SuitabilityAssessment(models.Model):
    """One answered risk questionnaire; the newest one of an investor is in force until it expires.

    Kept, never edited: a new questionnaire adds a row, so what the investor answered when they
    bought a note can always be shown.
    """

    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="suitability_assessments")
    questionnaire_version = models.CharField(max_length=16)
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    assessed_on = models.DateField(help_text=_("business date of the answers"))
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["investor", "-assessed_on", "-id"], name="suitability_latest")]

    def __str__(self) -> str:
        return f"{self.investor_id}: {self.level} until {self.expires_on}"


class DisclosureAcknowledgement(models.Model):
    """An investor read a version of the risk disclosure and said so, before investing."""

    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="disclosure_acknowledgements")
    version = models.CharField(max_length=16)
    acknowledged_at = models.DateTimeField(auto_now_add=True)
    business_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investor", "version"], name="one_ack_per_disclosure_version")]

    def __str__(self) -> str:
        return f"{self.investor_id}: disclosure {self.version}"


# The other model modules of the context (Django looks for models here).
from peerlend.investing.models_autoinvest import *  # noqa: E402, F403
from peerlend.investing.models_plans import *  # noqa: E402, F403
