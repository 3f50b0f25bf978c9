"""Human labels, in both languages, for the codes the system stores: one table per kind of code.

Pages never show a stored code (``invest_freeze``, ``under_review``, ``deposit:<hex>``); templates go
through the ``label`` and ``reference`` filters (``web/templatetags/labels.py``) and views through
:func:`label`. A code missing from its table falls back to a readable form of the code itself, and
``tests/web/test_labels.py`` fails on every code the source writes that has no entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peerlend.accounts.models import IdentityKind, IdentityReview
from peerlend.ledger.models import PaymentStatus
from peerlend.lending.models import STATUS_LABELS, NoteStatus
from peerlend.servicing.models import InstallmentStatus, PaymentKind

Table = Mapping[str, Promise | str]

# The status of an installment as the schedule shows it (servicing.selectors.InstallmentView.state).
INSTALLMENT_STATES: Table = {
    "paid": pgettext_lazy("installment", "Paid"),
    "due": pgettext_lazy("installment", "Due today"),
    "overdue": pgettext_lazy("installment", "Overdue"),
    "upcoming": pgettext_lazy("installment", "Upcoming"),
    "partial": pgettext_lazy("installment", "Partly paid"),
    "written_off": pgettext_lazy("installment", "Written off"),
    **{s.value: s.label for s in InstallmentStatus if s.value not in ("paid", "overdue", "partial", "written_off")},
}

# JournalEntry.kind: what moved money in the member's own words.
ENTRY_KINDS: Table = {
    "deposit": _("Deposit"),
    "withdrawal": _("Withdrawal paid out"),
    "withdrawal_freeze": _("Withdrawal requested (funds frozen)"),
    "withdrawal_unfreeze": _("Withdrawal returned (funds released)"),
    "invest_freeze": _("Investment bid (funds frozen)"),
    "invest_unfreeze": _("Investment bid released"),
    "plan_commit": _("Wealth plan: money committed (frozen)"),
    "plan_release": _("Wealth plan: money released"),
    "listing_expired": _("Refund: listing expired"),
    "listing_cancelled": _("Refund: listing cancelled"),
    "disburse": _("Loan disbursed"),
    "reconciliation": _("Reconciliation adjustment"),
    **{k.value: k.label for k in PaymentKind},
}

# AuditEvent.action: what a staff member or the system did.
AUDIT_ACTIONS: Table = {
    "accounts.admin_bootstrapped": _("Administrator created"),
    "accounts.agent_assigned": _("Agent assigned to a service point"),
    "accounts.consent_code_requested": _("Consent code sent to a member"),
    "accounts.member_registered_offline": _("Member registered at a service point"),
    "accounts.role_granted": _("Role granted"),
    "accounts.role_revoked": _("Role revoked"),
    "accounts.service_point_created": _("Service point created"),
    "accounts.two_factor_backup_codes_replaced": _("Two-factor backup codes replaced"),
    "accounts.two_factor_enrolled": _("Two-factor authentication enrolled"),
    "kyc.review_opened": _("Identity review opened"),
    "kyc.review_closed": _("Identity review closed"),
    "kyc.verified_in_person": _("Identity verified in person"),
    "ledger.reconciliation.resolve": _("Reconciliation item resolved"),
    "investing.plan_defined": _("Wealth plan defined"),
    "investing.plan_opened": _("Wealth plan opened for subscription"),
    "investing.plan_locked": _("Wealth plan locked in"),
    "investing.plan_exiting": _("Wealth plan lock-in ended (investors exited)"),
    "investing.plan_closed": _("Wealth plan closed"),
    "loan.auto_reject": _("Application rejected automatically"),
    "loan.first_approval": _("First approval"),
    "loan.approve": _("Application approved"),
    "loan.reject": _("Application rejected"),
    "loan.request_documents": _("Documents requested"),
    "loan.cancel": _("Application cancelled"),
    "loan.charge_off": _("Loan charged off"),
    "servicing.collect": _("Payment collected from the borrower's balance"),
    "servicing.promise_to_pay": _("Promise to pay recorded"),
}

# LedgerAccount.code of the platform's own accounts (the custody account and its sub-accounts).
PLATFORM_ACCOUNTS: Table = {
    "platform:custody_bank": _("Custody bank account"),
    "platform:gateway_clearing": _("Payment gateway clearing"),
    "platform:fee_income": _("Fee income"),
    "platform:risk_reserve": _("Risk reserve"),
    "platform:marketing_expense": _("Marketing expense"),
    "platform:suspense": _("Suspense (unmatched items)"),
}

# FraudHit.rule: the anti-fraud rule that fired (risk officers read the rule's own explanation beside it).
FRAUD_RULES: Table = {
    "age_policy": _("Age limit"),
    "blacklist": _("Blacklisted identity"),
    "duplicate_application": _("Application already in progress"),
    "duplicate_identity": _("Identity shared with another member"),
    "employment_vs_age": _("Employment years exceed age"),
    "no_kyc": _("Identity not verified"),
    "underage": _("Under age"),
    "velocity": _("Too many applications"),
}

# AuditEvent.target_type (the target model's label).
AUDIT_TARGETS: Table = {
    "accounts.user": _("Member"),
    "accounts.servicepoint": _("Service point"),
    "accounts.identityreview": _("Identity review"),
    "lending.loan": _("Loan"),
    "ledger.reconciliationitem": _("Reconciliation item"),
    "ledger.withdrawal": _("Withdrawal"),
    "investing.wealthplan": _("Wealth plan"),
    "servicing.promisetopay": _("Promise to pay"),
}

# The delinquency bucket of a loan (domain.lifecycle.late_bucket): the day ranges ("1-15", "90+") read the same
# in every language; "current" reads as the loan status of that name.
LATE_BUCKETS: Table = {
    "current": _("Current"),
}

TABLES: dict[str, Table] = {
    "fraud_rule": FRAUD_RULES,
    "audit_target": AUDIT_TARGETS,
    "platform_account": PLATFORM_ACCOUNTS,
    "loan_status": STATUS_LABELS,
    "note_status": {s.value: s.label for s in NoteStatus},
    "installment": INSTALLMENT_STATES,
    "late_bucket": LATE_BUCKETS,
    "payment_status": {s.value: s.label for s in PaymentStatus},
    "payment_kind": {k.value: k.label for k in PaymentKind},
    "entry_kind": ENTRY_KINDS,
    "audit_action": AUDIT_ACTIONS,
    "review_status": {s.value: s.label for s in IdentityReview.Status},
    "review_reason": {r.value: r.label for r in IdentityReview.Reason},
    "identity_kind": {k.value: k.label for k in IdentityKind},
    "kyc_status": {
        "verified": _("Verified"),
        "under_review": _("Under review by our staff"),
        "unverified": _("Not verified yet"),
    },
}


def label(code: Any, table: str) -> str:
    """The label of ``code`` in ``table``; an unknown code reads as words ("some_code" -> "Some code")."""
    if code is None or code == "":
        return ""
    text = str(code)
    found = TABLES[table].get(text)
    if found is not None:
        return str(found)
    return text.replace("_", " ").replace(".", " ").strip().capitalize()


_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<id>[A-Za-z0-9-]+)$")
REFERENCE_KINDS: Table = {
    "loan": _("Loan #%(id)s"),
    "note": _("Note #%(id)s"),
    # Order and withdrawal ids are long random hex: the first eight characters identify them for a person.
    "deposit": _("Deposit order %(id)s"),
    "withdrawal": _("Withdrawal %(id)s"),
}


def reference(text: Any) -> str:
    """``loan:12`` -> "Loan #12", ``deposit:<hex>`` -> "Deposit order 1a2b3c4d"; other text unchanged."""
    raw = str(text or "")
    match = _REFERENCE.match(raw)
    if not match or match["kind"] not in REFERENCE_KINDS:
        return raw
    ident = match["id"]
    if not ident.isdigit():
        ident = ident[:8]
    return str(REFERENCE_KINDS[match["kind"]]) % {"id": ident}
