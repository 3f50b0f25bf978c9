"""Member statements: a closed month's or year's movements on a member's ledger accounts, as a file.

The rendered file is kept in the database (``content``) so that a backup and restore carries it with
the books it was built from; ``sha256`` lets anyone check a downloaded copy. One row per member,
period and format: regenerating (``--force`` or a newer ``generator_version``) replaces the content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Statement", "StatementFormat", "StatementPeriod"]


class StatementPeriod(models.TextChoices):
    MONTH = "month", _("Monthly statement")
    YEAR = "year", _("Annual statement")


class StatementFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    PDF = "pdf", "PDF"


class Statement(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements")
    period_kind = models.CharField(max_length=8, choices=StatementPeriod.choices)
    # The first day of the month or year the statement covers.
    period_start = models.DateField()
    format = models.CharField(max_length=8, choices=StatementFormat.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # The language the labels were written in (the file is rendered once, when it is generated).
    language = models.CharField(max_length=16, blank=True, default="")
    # ``peerlend.ledger.statements.services.GENERATOR_VERSION`` at generation: a newer layout regenerates it.
    generator_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period_kind", "period_start", "format"],
                                    name="ledger_statement_once_per_period"),
        ]
        indexes = [models.Index(fields=["member", "-period_start"], name="ledger_statement_member")]

    def __str__(self) -> str:
        return f"statement {self.member_id} {self.period_kind} {self.period_start} {self.format}"
