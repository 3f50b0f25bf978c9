"""Filing information and the rules in force (``/disclosure/about``): read from settings, never typed twice.

The registration, custody bank and ICP number come from ``settings.PEERLEND_FILING`` (placeholders by
default, flagged as such); the fee schedule is the one ``lending.quote`` reads; what happens on default
is read from the servicing settings (grace, default and charge-off days, the guarantee mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peerlend.lending.quote import FeeSchedule, fee_schedule

PLACEHOLDER_MARK = "(placeholder)"
FILING_LABELS = {
    "COMPANY_NAME": _("Operating company"),
    "REGISTRATION_NUMBER": _("Business registration number"),
    "REGISTERED_CAPITAL": _("Registered capital"),
    "FILING_AUTHORITY": _("Filed with (local financial regulator)"),
    "CUSTODY_BANK": _("Custody bank"),
    "ICP_NUMBER": _("ICP licence number"),
}
FILING_FIELDS: tuple[str, ...] = tuple(FILING_LABELS)


@dataclass(frozen=True)
class FilingItem:
    code: str  # lower-case setting name: company_name, icp_number, ...
    label: str
    value: str

    @property
    def placeholder(self) -> bool:
        """Not set yet (empty, the default) or still marked as a placeholder."""
        return not self.value.strip() or PLACEHOLDER_MARK in self.value


@dataclass(frozen=True)
class DefaultRules:
    """What happens when a borrower does not pay, as configured."""

    guarantee_mode: str  # "none" or "risk_reserve"
    grace_days: int
    default_days: int
    charge_off_days: int
    compensation_days: int
    reserve_share_of_fee: Decimal

    @property
    def reserve(self) -> bool:
        return self.guarantee_mode == "risk_reserve"


@dataclass(frozen=True)
class About:
    filing: list[FilingItem]
    fees: FeeSchedule
    default_rules: DefaultRules


def filing_items() -> list[FilingItem]:
    values = getattr(settings, "PEERLEND_FILING", {})
    return [FilingItem(name.lower(), str(FILING_LABELS[name]), str(values.get(name, "")))
            for name in FILING_FIELDS]


def default_rules() -> DefaultRules:
    p = settings.PEERLEND
    return DefaultRules(
        guarantee_mode=str(p.get("GUARANTEE_MODE", "none")), grace_days=int(p["GRACE_DAYS"]),
        default_days=int(p["DEFAULT_DAYS"]), charge_off_days=int(p["CHARGE_OFF_DAYS"]),
        compensation_days=int(p["COMPENSATION_DAYS"]), reserve_share_of_fee=Decimal(str(p["RESERVE_SHARE_OF_FEE"])))


def about() -> About:
    return About(filing=filing_items(), fees=fee_schedule(), default_rules=default_rules())
