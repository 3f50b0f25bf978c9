"""Users and their roles. KYC and service points build on this model."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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


# Staff roles are granted only through ``services.grant_role`` (audited); members get these.
MEMBER_ROLES: frozenset[str] = frozenset({Role.BORROWER, Role.INVESTOR})
STAFF_ROLES: frozenset[str] = frozenset(r.value for r in Role) - MEMBER_ROLES
DEFAULT_MEMBER_ROLES: tuple[str, ...] = (Role.INVESTOR.value, Role.BORROWER.value)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline (service point)")


class User(AbstractUser):
    """A platform member or staff member. Roles are a set: one person may borrow and invest."""

    roles = models.JSONField(_("roles"), default=list, blank=True)
    # O2O: how the member joined, and which agent / point registered them when offline.
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    registered_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="registered_members",
        verbose_name=_("registered by"),
    )
    registered_point = models.ForeignKey(
        "accounts.ServicePoint", on_delete=models.PROTECT, null=True, blank=True,
        related_name="registered_members", verbose_name=_("registered at service point"),
    )
    # The business date (``peerlend.clock``) of the registration, set by ``accounts.services`` when the
    # member is created; staff reports and commissions count registrations by it, never by the wall
    # clock's ``date_joined``. Null only for accounts made outside registration (e.g. createsuperuser).
    registered_on = models.DateField(_("registered on"), null=True, blank=True, db_index=True)
    # The language of messages sent away from a page (reminders in the inbox, by e-mail or SMS);
    # saved when the member chooses it (never by a page read); empty means the platform's default.
    language = models.CharField(_("language"), max_length=16, blank=True, default="")

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set at issue from PEERLEND_API_TOKEN_DAYS; an expired token is refused (401 token_expired).
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class ServicePoint(models.Model):
    """An offline store where agents register members and verify identities in person."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Shown on the public store locator (issue 15 part 6): the point's own desk phone, never staff's.
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AgentMembership(models.Model):
    """An agent works at a service point. Only active memberships of active points count."""

    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agent_memberships")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="memberships")

    class PointRole(models.TextChoices):
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Manager")

    # A manager also closes the point's cash day (accounts.network); both roles serve members.
    role = models.CharField(_("role at the point"), max_length=16, choices=PointRole.choices, default=PointRole.AGENT)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "service_point"], name="uniq_agent_membership"),
        ]

    def __str__(self) -> str:
        return f"agent {self.agent_id} @ {self.service_point_id}"


class IdentityKind(models.TextChoices):
    """Who a member is: a natural person, or a company acting through its legal representative.

    The borrowing cap and the borrower type of every application follow from this, never from
    what an application says.
    """

    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Identity(models.Model):
    """A verified real-name identity (KYC), one per user.

    PII is stored only as Fernet ciphertext (``*_enc``) plus masked copies for display. For a
    person, the blind index of the resident ID is unique among persons, so the same person cannot
    verify two accounts. For a company, the name, resident ID, mobile and card fields are the legal
    representative's (who may also hold a person account), and the credit code is unique among
    companies.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="identity")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentityKind.choices, default=IdentityKind.PERSON)
    # Company registration data is public (it is printed on the business licence): stored as is.
    company_name = models.CharField(_("company name"), max_length=120, blank=True, default="")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    real_name_enc = models.TextField()
    resident_id_enc = models.TextField()
    mobile_enc = models.TextField()
    bank_card_enc = models.TextField()
    resident_id_index = models.CharField(max_length=64, db_index=True)
    # Keyed blind indexes (not unique): anti-fraud finds members who share a phone or a card.
    mobile_index = models.CharField(max_length=64, db_index=True, default="")
    bank_card_index = models.CharField(max_length=64, db_index=True, default="")
    real_name_masked = models.CharField(_("real name"), max_length=64)
    resident_id_masked = models.CharField(_("resident ID number"), max_length=32)
    mobile_masked = models.CharField(_("mobile number"), max_length=32)
    bank_card_masked = models.CharField(_("bank card"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    verified_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="verified_identities",
        verbose_name=_("verified by"),
    )
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="verified_identities",
        verbose_name=_("service point"),
    )
    verified_at = models.DateTimeField(_("verified at"))
    # The business date of the verification (``peerlend.clock``): staff reports and commissions count
    # verifications by it, like every other staff figure; ``verified_at`` stays the wall-clock instant.
    verified_on = models.DateField(_("verified on"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["resident_id_index"], condition=models.Q(kind="person"),
                                    name="uniq_person_resident_id"),
            models.UniqueConstraint(fields=["credit_code"], condition=models.Q(kind="company"),
                                    name="uniq_company_credit_code"),
            models.CheckConstraint(
                condition=models.Q(kind="person", credit_code="", company_name="")
                | (models.Q(kind="company") & ~models.Q(credit_code="") & ~models.Q(company_name="")),
                name="identity_kind_consistent",
            ),
            # An offline verification always names its agent and point; an online one names neither.
            models.CheckConstraint(
                condition=(
                    models.Q(channel="online", verified_by__isnull=True, service_point__isnull=True)
                    | models.Q(channel="offline", verified_by__isnull=False, service_point__isnull=False)
                ),
                name="identity_channel_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"identity of {self.user_id} ({self.resident_id_masked})"

    # Decrypted values; call only where the plaintext is truly needed (never in templates).
    def decrypted(self) -> dict[str, str]:
        from peerlend.compliance.crypto import decrypt_pii

        return {
            "real_name": decrypt_pii(self.real_name_enc),
            "resident_id": decrypt_pii(self.resident_id_enc),
            "mobile": decrypt_pii(self.mobile_enc),
            "bank_card": decrypt_pii(self.bank_card_enc),
        }

    def masked(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "company_name": self.company_name,
            "credit_code": self.credit_code,
            "real_name": self.real_name_masked,
            "resident_id": self.resident_id_masked,
            "mobile": self.mobile_masked,
            "bank_card": self.bank_card_masked,
        }


PII_FIELDS: tuple[str, ...] = ("real_name_enc", "resident_id_enc", "mobile_enc", "bank_card_enc")


class KycAttempt(models.Model):
    """One online KYC submission, counted to throttle attempts per member (identity enumeration)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="kyc_attempts")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"kyc attempt of {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class IdentityReview(models.Model):
    """A KYC submission whose resident ID (or company credit code) already verifies another account.

    The member is told only that the submission is under review, so KYC cannot be used to find out
    who is on the platform; compliance staff see the case here and close it. The submitted data is
    kept encrypted like an identity's.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        CLOSED = "closed", _("Closed")

    class Reason(models.TextChoices):
        IDENTITY_IN_USE = "identity_in_use", _("Resident ID already verifies another account")
        COMPANY_IN_USE = "company_in_use", _("Credit code already verifies another account")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="identity_reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentityKind.choices, default=IdentityKind.PERSON)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The account that already holds the identity, for the reviewer (never shown to the submitter).
    existing_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("account holding the identity"))
    company_name = models.CharField(_("company name"), max_length=120, blank=True, default="")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    real_name_enc = models.TextField()
    resident_id_enc = models.TextField()
    mobile_enc = models.TextField()
    bank_card_enc = models.TextField()
    resident_id_index = models.CharField(max_length=64, db_index=True)
    real_name_masked = models.CharField(_("real name"), max_length=64)
    resident_id_masked = models.CharField(_("resident ID number"), max_length=32)
    mobile_masked = models.CharField(_("mobile number"), max_length=32)
    bank_card_masked = models.CharField(_("bank card"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("agent"))
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("service point"))
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, default="")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One open case per member: a member under review cannot keep probing other IDs.
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"),
                                    name="uniq_pending_identity_review"),
        ]

    def __str__(self) -> str:
        return f"identity review {self.pk} of {self.user_id} ({self.status})"


class LegalDocument(models.TextChoices):
    TERMS = "terms", _("Terms of service")
    PRIVACY = "privacy", _("Privacy notice")


class TermsAcceptance(models.Model):
    """A member accepted a version of the terms of service or the privacy notice, at a time (append-only)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    document = models.CharField(_("document"), max_length=16, choices=LegalDocument.choices)
    version = models.CharField(_("version"), max_length=32)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document", "version"], name="uniq_terms_acceptance"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.document} {self.version}"


class ConsentCode(models.Model):
    """A member's one-time consent for one agent to file an application on their behalf.

    Only a keyed digest of the code is stored; the code reaches the member alone (SMS, e-mail), who
    reads it out to the agent. It expires after ``CONSENT_CODE_MINUTES`` and is refused after
    ``CONSENT_CODE_MAX_TRIES`` wrong entries.
    """

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_codes")
    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "agent", "used_at"], name="accounts_consent_open")]

    def __str__(self) -> str:
        return f"consent of {self.member_id} for agent {self.agent_id}"


class SendThrottle(models.Model):
    """How many messages of one kind a member was sent in the current window (``accounts.passwords``).

    Kept in the database rather than a per-process cache, so that the limit holds whichever worker
    answers; a compare-and-set update counts each request exactly once.
    """

    key = models.CharField(max_length=80, unique=True)  # kind and member, e.g. ``pwreset:42``
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_started_at:%Y-%m-%d %H:%M}"


# The service-point network's records (issue 15 part 6) live in their own module, registered here.
from peerlend.accounts.network.models import (  # noqa: E402,F401
    CounterReceipt,
    FieldCheck,
    FieldPhoto,
    FieldVerification,
    PointDayClose,
    PointVisit,
)
