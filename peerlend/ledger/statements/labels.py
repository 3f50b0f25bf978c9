"""Readable descriptions of journal-entry kinds for statement lines (never the raw code).

The ledger names its own kinds here; contexts above it (servicing's payment kinds, investing's plans)
add theirs with :func:`register_kind_labels` from their ``AppConfig.ready`` (layer order). The wording
is the one members see on their account page (``web.labels.ENTRY_KINDS``), so the translations agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {
    "deposit": _("Deposit"),
    "withdrawal": _("Withdrawal paid out"),
    "withdrawal_freeze": _("Withdrawal requested (funds frozen)"),
    "withdrawal_unfreeze": _("Withdrawal returned (funds released)"),
    "invest_freeze": _("Investment bid (funds frozen)"),
    "invest_unfreeze": _("Investment bid released"),
    "listing_expired": _("Refund: listing expired"),
    "listing_cancelled": _("Refund: listing cancelled"),
    "disburse": _("Loan disbursed"),
    "reconciliation": _("Reconciliation adjustment"),
}


# Kinds named after the payer's side (a borrower's "Auto-debit"): a note holder credited by one
# reads "Repayment received (Auto-debit)" instead.
_PAID_TO_HOLDERS: set[str] = set()


def register_kind_labels(labels: Mapping[str, Promise | str], *, paid_to_holders: bool = False) -> None:
    _LABELS.update(labels)
    if paid_to_holders:
        _PAID_TO_HOLDERS.update(labels)


def kind_label(kind: str, *, credited: bool = False) -> str:
    """The label in the active language; an unknown kind reads as words ("some_kind" -> "Some kind")."""
    found = _LABELS.get(kind)
    text = str(found) if found is not None else (
        kind.replace("_", " ").replace(".", " ").replace(":", " ").strip().capitalize())
    if credited and kind in _PAID_TO_HOLDERS:
        return _("Repayment received (%(kind)s)") % {"kind": text}
    return text


# Readable references: "loan:12" -> "Loan #12" (the account page's wording, ``web.labels.REFERENCE_KINDS``).
_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<id>[A-Za-z0-9-]+)$")
_REFERENCE_KINDS: dict[str, Promise | str] = {
    "loan": _("Loan #%(id)s"),
    "note": _("Note #%(id)s"),
    "deposit": _("Deposit order %(id)s"),
    "withdrawal": _("Withdrawal %(id)s"),
}


def reference_label(text: str) -> str:
    match = _REFERENCE.match(text or "")
    if not match or match["kind"] not in _REFERENCE_KINDS:
        return text or ""
    ident = match["id"] if match["id"].isdigit() else match["id"][:8]
    return str(_REFERENCE_KINDS[match["kind"]]) % {"id": ident}


# The statement's totals (``build.TOTALS_IN`` / ``TOTALS_OUT``).
TOTAL_LABELS: dict[str, Promise] = {
    "deposits": _("Deposits"),
    "withdrawals": _("Withdrawals"),
    "invested": _("Invested in loans"),
    "principal_received": _("Principal received"),
    "interest_received": _("Interest received"),
    "service_fees": _("Service fees deducted"),
    "loans_disbursed": _("Loans disbursed to you"),
    "origination_fees": _("Loan service fees"),
    "principal_paid": _("Principal repaid"),
    "interest_paid": _("Interest paid"),
    "late_fees_paid": _("Late fees paid"),
    "reserve_repaid": _("Repaid to the risk reserve"),
    "repayments_received": _("Repayments received (not itemised)"),
    "repayments_paid": _("Repayments made (not itemised)"),
    "other_in": _("Other money in"),
    "other_out": _("Other money out"),
}
