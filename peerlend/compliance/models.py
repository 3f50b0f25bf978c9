"""Models of the compliance context: the append-only, hash-chained audit trail (and the regulator's access log)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text (the bytes that get hashed)."""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def jsonable(value: Any) -> Any:
    """``value`` as it reads back from a JSON column, so the stored row hashes like the appended one."""
    return None if value is None else json.loads(canonical_json(value))


class AuditEvent(models.Model):
    """Who did what, when and why. Append-only: the database refuses UPDATE and DELETE.

    Each row stores the previous row's hash and its own SHA-256 over the canonical JSON of
    its content plus that previous hash, so any edit or removal breaks the chain.
    ``prev_hash`` is unique: two appenders racing on the same head cannot fork the chain.
    """

    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    # A snapshot, so the trail still reads right if the user is renamed.
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    old = models.JSONField(_("old values"), null=True, blank=True)
    new = models.JSONField(_("new values"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_username or 'system'}"

    def content(self) -> dict[str, Any]:
        """The hashed fields (everything but the id and the hash itself)."""
        return {
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content()).encode("utf-8")).hexdigest()


# The regulator's access log (issue 16), hash-chained the same way, lives in its own module; imported so
# Django registers it (it uses canonical_json from above).
from peerlend.compliance.models_regulator import RegulatorAccess  # noqa: E402

__all__ = ["GENESIS_HASH", "AuditEvent", "RegulatorAccess", "canonical_json", "jsonable"]
