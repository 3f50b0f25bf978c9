"""Users and their roles. KYC and service points build on this model."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    INVESTOR = "investor", _("Investor")
    AGENT = "agent", _("Service-point agent")
    RISK_OFFICER = "risk_officer", _("Risk officer")
    COLLECTIONS = "collections", _("Collections agent")
    OPERATOR = "operator", _("Operator")
    COMPLIANCE = "compliance", _("Compliance officer")
    REGULATOR = "regulator", _("Regulator (read-only)")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A platform member or staff member. Roles are a set: one person may borrow and invest."""

    roles = models.JSONField(_("roles"), default=list, blank=True)

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token of {self.user_id}"
