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
from peerlend.marketing.models_coupons import CouponChannel, CouponKind, CouponSource, CouponStatus
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
    # Coupons the platform pays (issue 15 part 3), debiting marketing expense.
    "coupon_cash_voucher": _("Coupon: cash voucher paid by the platform"),
    "coupon_rate_boost": _("Coupon: extra interest paid by the platform"),
    "coupon_fee_discount": _("Coupon: origination-fee discount paid back"),
    "service_point_cash_in": _("Repayment received at a service point"),
    "service_point_deposit": _("Service point cash deposited to custody"),
    "service_point_card_settlement": _("Service point card takings sent to settlement"),
    # Agents' commissions (issue 15 part 7).
    "commission_accrual": _("Agent commission booked (owed)"),
    "commission_payout": _("Agent commission paid out"),
    **{k.value: k.label for k in PaymentKind},
}

# AuditEvent.action: what a staff member or the system did.
AUDIT_ACTIONS: Table = {
    "accounts.admin_bootstrapped": _("Administrator created"),
    "accounts.agent_assigned": _("Agent assigned to a service point"),
    "accounts.consent_code_requested": _("Consent code sent to a member"),
    "accounts.member_registered_offline": _("Member registered at a service point"),
    "accounts.role_granted": _("Role granted"),
    # Coupons (issue 15 part 3).
    "marketing.coupon_template_created": _("Coupon template defined"),
    "marketing.coupon_template_switched": _("Coupon template switched on or off"),
    "marketing.coupon_issued": _("Coupon given to a member"),
    "marketing.coupon_redeemed_offline": _("Coupon used at a service point"),
    # Campaigns (issue 15 part 5).
    "marketing.campaign_defined": _("Campaign defined"),
    "marketing.campaign_cancelled": _("Campaign cancelled"),
    "marketing.campaign_run": _("Campaign run by an operator"),
    # Referrals (issue 15 part 4).
    "marketing.referral_recorded": _("Referral recorded at a service point"),
    "accounts.role_revoked": _("Role revoked"),
    "accounts.service_point_created": _("Service point created"),
    "accounts.service_point_updated": _("Service point edited"),
    "accounts.point_staff_assigned": _("Staff assigned to a service point"),
    "accounts.point_staff_removed": _("Staff removed from a service point"),
    "accounts.point_visit_recorded": _("Visit to a member recorded"),
    "accounts.field_verification_recorded": _("Field verification recorded"),
    "servicing.counter_repayment": _("Repayment received at a service point"),
    "servicing.point_day_closed": _("Service point cash day closed"),
    "accounts.two_factor_backup_codes_replaced": _("Two-factor backup codes replaced"),
    "accounts.two_factor_enrolled": _("Two-factor authentication enrolled"),
    "kyc.review_opened": _("Identity review opened"),
    "kyc.review_closed": _("Identity review closed"),
    "kyc.verified_in_person": _("Identity verified in person"),
    "ledger.reconciliation.resolve": _("Reconciliation item resolved"),
    "disclosure.risk_event_drafted": _("Risk-event notice drafted"),
    "disclosure.risk_event_edited": _("Risk-event notice draft edited"),
    "disclosure.risk_event_published": _("Risk-event notice published"),
    "disclosure.loan_fact_recorded": _("Loan fact recorded for investors"),
    "disclosure.monthly_published": _("Monthly operating data published"),
    "disclosure.monthly_corrected": _("Monthly operating data corrected (new version)"),
    "disclosure.related_party_flagged": _("Member flagged as a related party"),
    "disclosure.related_party_ended": _("Related-party flag ended"),
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
    # Staff performance (issue 15 part 7).
    "marketing.staff_target_set": _("Staff targets set"),
    "marketing.commission_payout_requested": _("Agent commission payout requested"),
    "marketing.member_tagged": _("Member tagged by an agent"),
    "marketing.member_contact_logged": _("Agent's contact with a member logged"),
    "marketing.coupon_sent_by_agent": _("Coupon given to a member by an agent"),
    # Members and points (issue 15 parts 1-2).
    "marketing.points_offline_visit": _("Points for a visit at a service point"),
    # The regulator's reads (compliance.regulator.access.ACTIONS), as the access log shows them.
    "model.candidate_created": _("Credit model: challenger trained from the platform's loans"),
    "model.approve": _("Credit model: challenger approved and live"),
    "model.reject": _("Credit model: challenger rejected"),
    "model.retire": _("Credit model: previous live model retired"),
    "regulator.console": _("Regulator: opened the console"),
    "regulator.loan_search": _("Regulator: searched loans"),
    "regulator.member_search": _("Regulator: searched members"),
    "regulator.member_view": _("Regulator: viewed a member (masked)"),
    "regulator.member_unmasked": _("Regulator: viewed a member's personal data (justified)"),
    "regulator.audit_log": _("Regulator: read the audit log"),
    "regulator.access_log": _("Regulator: read the access log"),
    "regulator.export": _("Regulator: exports"),
    "regulator.reconciliation": _("Regulator: read the custody reconciliation"),
    "regulator.reconciliation_export": _("Regulator: exported the custody reconciliation"),
}

# LedgerAccount.code of the platform's own accounts (the custody account and its sub-accounts).
PLATFORM_ACCOUNTS: Table = {
    "platform:custody_bank": _("Custody bank account"),
    "platform:gateway_clearing": _("Payment gateway clearing"),
    "platform:fee_income": _("Fee income"),
    "platform:risk_reserve": _("Risk reserve"),
    "platform:marketing_expense": _("Marketing expense"),
    "platform:suspense": _("Suspense (unmatched items)"),
    "platform:commission_expense": _("Agent commission expense"),
    "platform:commission_payable": _("Agent commissions payable"),
    "platform:service_point_clearing": _("Service-point cash and card clearing"),
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
    "accounts.pointvisit": _("Visit"),
    "accounts.fieldverification": _("Field verification"),
    "accounts.pointdayclose": _("Service point cash day"),
    "accounts.identityreview": _("Identity review"),
    "lending.loan": _("Loan"),
    "ledger.reconciliationitem": _("Reconciliation item"),
    "ledger.withdrawal": _("Withdrawal"),
    "investing.wealthplan": _("Wealth plan"),
    "marketing.coupontemplate": _("Coupon template"),
    "marketing.coupon": _("Coupon"),
    "marketing.campaign": _("Campaign"),
    "marketing.referral": _("Referral"),
    "disclosure.riskevent": _("Risk-event notice"),
    "disclosure.loanfact": _("Loan fact"),
    "disclosure.monthlysnapshot": _("Monthly operating data"),
    "disclosure.relatedparty": _("Related party"),
    "servicing.promisetopay": _("Promise to pay"),
    "marketing.stafftarget": _("Staff target"),
    "marketing.commission": _("Agent commission"),
    "marketing.pointsentry": _("Points entry"),
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
    "coupon_kind": {k.value: k.label for k in CouponKind},
    "coupon_status": {s.value: s.label for s in CouponStatus},
    "coupon_source": {s.value: s.label for s in CouponSource},
    "coupon_channel": {c.value: c.label for c in CouponChannel},
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
