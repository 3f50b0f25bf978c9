"""Words for the staff-performance codes (metrics, groupings, commission rules) in the active language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

METRIC_LABELS: dict[str, Promise] = {
    "members_registered": _("Members registered"),
    "identities_verified": _("Identities verified"),
    "applications_originated": _("Applications originated"),
    "amount_originated_minor": _("Amount originated (CNY)"),
    "loans_repaid_on_time": _("Loans repaid on time"),
    "collections_recovered_minor": _("Collections recovered (CNY)"),
}

GROUPING_LABELS: dict[str, Promise] = {
    "agent": _("By agent"),
    "point": _("By service point"),
    "city": _("By city"),
    "month": _("By month"),
}

RULE_KIND_LABELS: dict[str, Promise] = {
    "bp_of_originated_on_time": _("Share of the amount originated whose loan repaid its first installments on time"),
    "fixed_per_verified_member": _("Fixed amount per member verified in person"),
    "fixed_per_registered_member": _("Fixed amount per member registered in person"),
}


def is_amount(metric: str) -> bool:
    return metric.endswith("_minor")

COMMISSION_STATES: dict[str, Promise] = {
    "accrued": _("Owed, not yet paid out"),
    "payout_pending": _("Payout sent to the gateway"),
    "paid": _("Paid out"),
    "payout_failed": _("Payout failed: released to the agent's balance"),
}


def register_statement_labels() -> None:
    """What a commission payout reads as on the agent's account statement (the ledger's table lives below us)."""
    try:
        from peerlend.ledger.statements.labels import register_kind_labels
    except ImportError:  # statements not installed in this build
        return
    register_kind_labels({"commission_payout": _("Agent commission paid out")})
