"""Models of the ledger context: the custody books (double entry) and the payment records.

Sign convention (read this before writing a posting)
----------------------------------------------------
* Every amount is a signed integer in minor units (``*_minor``). Every journal entry sums to
  zero per currency, and an account's ``balance_minor`` is the sum of its postings (kept
  transactionally by ``services.post_entry``; ``peerlend audit`` re-adds it from the postings).
* Credit-normal accounts (what the platform holds *for* someone): user ``available`` and
  ``frozen``, ``fee_income``, ``risk_reserve``, ``suspense``. A positive balance means the
  platform holds that much for them. A user account or the risk reserve never goes below zero.
* Debit-normal accounts (assets and expenses): ``custody_bank`` (the mirror of the real
  custody bank account), ``gateway_clearing`` (money the gateway owes us) and
  ``marketing_expense``. Their stored balance is *negative* while they hold money (or have
  been spent on); ``selectors`` and pages show them with the sign flipped.
* Example: a 100.00 deposit is ``custody_bank -10000`` / ``user:42:available +10000``.
  A payout of 30.00 is ``user:42:frozen -3000`` / ``custody_bank +3000``.

The database guards the books as well (migration 0002): postings are append-only, a posted
entry is append-only, and an entry can be marked posted only while its postings sum to zero.
Every balance and amount column holds an integer within a range (``peerlend.ledger.rangeguard``):
balances and postings within +-MAX_BALANCE_MINOR, single payments within +-MAX_AMOUNT_MINOR
(``peerlend.domain.money``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def default_currency() -> str:
    return str(settings.PEERLEND.get("CURRENCY", "CNY"))


class AccountKind(models.TextChoices):
    AVAILABLE = "available", _("Available")
    FROZEN = "frozen", _("Frozen")
    PLATFORM = "platform", _("Platform")


# Platform accounts (short codes); the stored code is "platform:<short>".
PLATFORM_CODES = (
    "custody_bank",
    "gateway_clearing",
    "fee_income",
    "risk_reserve",
    "marketing_expense",
    "suspense",
    # Agents' commissions (issue 15 part 7): the expense, kept apart from marketing_expense so that
    # marketing expense stays the cost of coupons and campaigns; and what is owed until paid out.
    "commission_expense",
    "commission_payable",
    # Cash and card repayments taken at service points, until deposited or settled (issue 15 part 6).
    "service_point_clearing",
)
# Debit-normal: stored negative while holding money; shown with the sign flipped.
DEBIT_NORMAL_CODES = frozenset({"platform:custody_bank", "platform:gateway_clearing", "platform:marketing_expense",
                                "platform:commission_expense", "platform:service_point_clearing"})
# Accounts that may never go below zero, besides every user available/frozen account.
NON_NEGATIVE_PLATFORM_CODES = frozenset({"platform:risk_reserve",
                                         "platform:commission_payable"})  # never pay out more than owed


class LedgerAccount(models.Model):
    code = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    currency = models.CharField(max_length=3, default=default_currency)
    balance_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="platform", owner__isnull=True) | (~Q(kind="platform") & Q(owner__isnull=False)),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_debit_normal(self) -> bool:
        return self.code in DEBIT_NORMAL_CODES

    @property
    def must_stay_non_negative(self) -> bool:
        return self.kind in (AccountKind.AVAILABLE, AccountKind.FROZEN) or self.code in NON_NEGATIVE_PLATFORM_CODES

    @property
    def display_balance_minor(self) -> int:
        return -self.balance_minor if self.is_debit_normal else self.balance_minor


class JournalEntry(models.Model):
    kind = models.CharField(max_length=40, db_index=True)
    memo = models.CharField(max_length=255, blank=True, default="")
    reference = models.CharField(max_length=120, blank=True, default="", db_index=True)
    business_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    posted = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.reference}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount_minor = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_posting_amount_nonzero")]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_minor:+d}"


class IdempotencyRecord(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="ledger_idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} {self.state}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


def _public_id() -> str:
    return uuid.uuid4().hex


class DepositOrder(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deposit_orders")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=default_currency)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    gateway_reference = models.CharField(max_length=64, blank=True, default="")
    entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The platform's business date when the order was made: the daily deposit limit sums by it.
    business_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="ledger_deposit_amount_positive")]
        indexes = [models.Index(fields=["user", "business_date"], name="ledger_deposit_user_day")]

    def __str__(self) -> str:
        return f"deposit {self.public_id}"

    @property
    def reference(self) -> str:
        return f"deposit:{self.public_id}"


class Withdrawal(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=default_currency)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    gateway_reference = models.CharField(max_length=64, blank=True, default="")
    freeze_entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settle_entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The platform's business date of the request: the daily withdrawal limit sums by it.
    business_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="ledger_withdrawal_amount_positive"),
        ]
        indexes = [models.Index(fields=["user", "business_date"], name="ledger_withdrawal_user_day")]

    def __str__(self) -> str:
        return f"withdrawal {self.public_id}"

    @property
    def reference(self) -> str:
        return f"withdrawal:{self.public_id}"


class GatewayCallbackLog(models.Model):
    """Every callback the gateway endpoint received, raw, with what we did about it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        DUPLICATE = "duplicate", _("Duplicate (already applied)")
        BAD_SIGNATURE = "bad_signature", _("Bad signature")
        MALFORMED = "malformed", _("Malformed")
        UNKNOWN_ORDER = "unknown_order", _("Unknown order")
        MISMATCH = "mismatch", _("Amount or currency mismatch")
        REJECTED = "rejected", _("Rejected")

    received_at = models.DateTimeField(auto_now_add=True)
    body = models.TextField()
    signature = models.CharField(max_length=200, blank=True, default="")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=255, blank=True, default="")
    reference = models.CharField(max_length=120, blank=True, default="", db_index=True)

    def __str__(self) -> str:
        return f"callback {self.pk} {self.outcome}"


class StatementImport(models.Model):
    filename = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField()
    date = models.DateField()
    reference = models.CharField(max_length=120, db_index=True)
    amount_minor = models.BigIntegerField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # One bank line matches at most one custody_bank posting and vice versa.
    matched_posting = models.OneToOneField(
        Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )

    def __str__(self) -> str:
        return f"{self.date} {self.reference} {self.direction} {self.amount_minor}"


class ReconciliationItem(models.Model):
    """An unmatched item on one side (bank statement or ledger) waiting for an operator."""

    class Side(models.TextChoices):
        BANK = "bank", _("Bank statement only")
        LEDGER = "ledger", _("Ledger only")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    side = models.CharField(max_length=8, choices=Side.choices)
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="items")
    statement_line = models.OneToOneField(
        StatementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="item"
    )
    posting = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="recon_item")
    date = models.DateField()
    reference = models.CharField(max_length=120)
    amount_minor = models.BigIntegerField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution_entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"{self.side} {self.reference} {self.direction} {self.amount_minor}"


class OutboxMessage(models.Model):
    """A request to the outside world (gateway, SMS, e-mail, webhook), written with the transaction.

    ``peerlend.ledger.outbox`` sends it after commit and retries it; a rolled-back transaction
    leaves no row, so nothing is sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40)
    # The send key: one message per key however often it is enqueued (``notice:<id>``); none for
    # messages whose caller already runs once (a withdrawal's payout).
    key = models.CharField(max_length=160, unique=True, null=True, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    # A sender holds the message until this time while it sends (two senders never both send it).
    locked_until = models.DateTimeField(null=True, blank=True)
    # Which sender's claim holds the lease (a batch claims many rows with one UPDATE, then reads them back).
    claim = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ledger_outbox_due")]

    def __str__(self) -> str:
        return f"outbox {self.pk} {self.kind} {self.status}"


# The other model modules of the context (Django looks for models here).
from peerlend.ledger.models_statements import *  # noqa: E402, F403
