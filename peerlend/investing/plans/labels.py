"""What plan ledger entries read as on statements (the ledger's own label table lives below investing)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_plan_labels() -> None:
    try:
        from peerlend.ledger.statements.labels import register_kind_labels
    except ImportError:  # statements not installed in this build
        return
    register_kind_labels({"plan_commit": _("Wealth plan: money committed (frozen)"),
                          "plan_release": _("Wealth plan: money released")})
