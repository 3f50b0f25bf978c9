"""Models of the scoring context: credit-model candidates retrained on the platform's own book."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Pending decision")
    APPROVED = "approved", _("Approved (live)")
    REJECTED = "rejected", _("Rejected")
    RETIRED = "retired", _("Retired")


class ModelCandidate(models.Model):
    """A challenger fitted by ``train-model --from-platform`` and, once a risk officer approves it, the live model.

    The artifact and the report are kept as the exact JSON text written (canonical: sorted keys), so the
    same data gives byte-identical text and the live model is the very artifact that was reviewed.
    At most one candidate is approved (live) at a time: a partial unique index says so.
    """

    version = models.CharField(max_length=40, unique=True)
    artifact_text = models.TextField()
    report_text = models.TextField()
    rows = models.PositiveIntegerField()  # matured loans in the training set
    bad = models.PositiveIntegerField()
    train_rows = models.PositiveIntegerField()
    holdout_rows = models.PositiveIntegerField()
    as_of = models.DateField()
    horizon_months = models.PositiveSmallIntegerField()
    min_bad = models.PositiveIntegerField()
    champion_version = models.CharField(max_length=40)  # the live model it was compared with
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="approved"), name="one_live_model"),
        ]

    def __str__(self) -> str:
        return f"model candidate {self.version} ({self.status})"

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.report_text)  # type: ignore[no-any-return]

    @property
    def artifact(self) -> dict[str, Any]:
        return json.loads(self.artifact_text)  # type: ignore[no-any-return]
