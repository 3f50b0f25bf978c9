"""The regulator's access log: one append-only, hash-chained row per page or export a regulator opened.

Kept apart from the audit trail on purpose: a read writes this row (the documented bookkeeping write
of docs/DESIGN.md, declared in tests/web/test_get_writes_nothing.py), and no read may append to the
audit trail itself. The database refuses UPDATE and DELETE here too, and the rows form their own
hash chain, built like the audit trail's and verified with it by ``peerlend verify-audit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peerlend.compliance.models import canonical_json

MAX_REASON = 500


class RegulatorAccess(models.Model):
    """Who read what, with which filters, when, and (when PII was shown) why.

    Hash-chained like ``AuditEvent``: each row stores the previous row's hash and its own SHA-256 over
    the canonical JSON of its content plus that previous hash, so an edited or removed row breaks the
    chain (``compliance.selectors.verify_audit_chain``). ``prev_hash`` is unique: no fork.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("regulator"))
    # A snapshot, so the log still reads right if the user is renamed.
    actor_username = models.CharField(_("regulator username"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    path = models.CharField(_("page or export"), max_length=300)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, default="")
    target_id = models.CharField(_("target id"), max_length=64, blank=True, default="")
    reason = models.CharField(_("justification"), max_length=MAX_REASON, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(_("answer"), default=200)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "at"], name="regaccess_actor_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status_code__gte=100, status_code__lte=599),
                                   name="regaccess_status_http"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_username}"

    def content(self) -> dict[str, Any]:
        """The hashed fields (every stored field but the id and the hash itself)."""
        return {
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "path": self.path,
            "filters": self.filters,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "reason": self.reason,
            "status_code": self.status_code,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content()).encode("utf-8")).hexdigest()
