"""Monthly operating data (published snapshots) and the related-party flag on members.

A ``MonthlySnapshot`` is the platform's operating data as of one month-end, published once and
never changed: the database refuses an UPDATE (migration 0001 trigger) and the model refuses
``save`` of an existing row and ``delete``. A correction is a new row of the same month with a
higher ``version``, pointing at the row it supersedes and saying why.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlend.errors import Conflict


class RelatedParty(models.Model):
    """A member related to the platform (shareholder, director, staff...): their loans are disclosed apart."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="related_party")
    reason = models.CharField(_("reason"), max_length=200)
    # Business dates: the flag counts for month-ends on or after ``since`` and before ``until``.
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(until__isnull=True) | models.Q(until__gt=models.F("since")),
                                   name="related_party_period_valid"),
        ]

    def __str__(self) -> str:
        return f"related party {self.user_id}"


class MonthlySnapshot(models.Model):
    """One published version of one month's operating data (figures in minor units and counts)."""

    month = models.DateField(_("month"))  # the first day of the month
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    as_of = models.DateField(_("as of"))  # the month-end the figures describe
    figures = models.JSONField(_("figures"))
    fee_schedule = models.JSONField(_("fee schedule in force"))
    sha256 = models.CharField(max_length=64)
    published_on = models.DateField(_("published on"))  # business date
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="monthly_snapshot_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1) & models.Q(version__lte=99),
                                   name="monthly_snapshot_version_range"),
            models.CheckConstraint(
                condition=(models.Q(version=1, supersedes__isnull=True)
                           | (models.Q(version__gt=1, supersedes__isnull=False) & ~models.Q(reason=""))),
                name="monthly_snapshot_correction_linked",
            ),
        ]

    def __str__(self) -> str:
        return f"operating data {self.month:%Y-%m} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(gettext("A published snapshot cannot be changed."), code="snapshot_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(gettext("A published snapshot cannot be changed."), code="snapshot_immutable")
