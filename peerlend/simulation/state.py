"""The simulator's configuration, the behaviour drawn per loan and the state it carries from day to day."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from peerlend.accounts.models import User

UNIT_MINOR = 50_00
GRADES = ("A", "B", "C", "D", "E")
# Share of borrowers who behave each way, besides defaulting (drawn per loan).
PREPAY_SHARE = 0.10
LATE_SHARE = 0.12
# Share of investors who let auto-invest rules buy notes for them (the rest invest by hand only).
AUTO_INVEST_SHARE = 0.7
REGIONS = ("110101", "310101", "440103", "510104", "330102", "320102", "420102", "610102")
PROVINCES = ("BJ", "SH", "GD", "SC", "ZJ", "JS", "HB", "SN")


@dataclass(frozen=True)
class SimConfig:
    seed: int = 1
    months: int = 6
    borrowers: int = 200
    investors: int = 50
    agents: int = 4
    guarantee: str = "none"
    start: date = date(2025, 1, 6)
    # Demo mode: the first loans to disburse take every path (default, late, prepay) so that a
    # short history still shows loans in every state.
    showcase: bool = False
    # Marketing (issue 15): agents' targets, campaigns, coupons at checkout and at the point, points.
    marketing: bool = True


@dataclass
class Behaviour:
    kind: str  # on_time | late | prepay | default
    stop_after: int = 0  # default: installments paid before stopping
    late_days: int = 0  # late: days after the due date the borrower pays
    prepay_month: int = 0
    prepay_on: date | None = None  # prepay: the day after installment ``prepay_month`` falls due


@dataclass
class GradeMonth:
    outstanding_minor: int = 0
    interest_minor: int = 0
    fees_minor: int = 0
    charged_off_minor: int = 0


@dataclass
class SimState:
    investors: list[User] = field(default_factory=list)
    auto_investors: list[User] = field(default_factory=list)  # investors with auto-invest rules
    agents: list[User] = field(default_factory=list)
    officers: list[User] = field(default_factory=list)
    behaviour: dict[int, Behaviour] = field(default_factory=dict)
    appetite: dict[int, tuple[str, ...]] = field(default_factory=dict)
    months: dict[str, list[GradeMonth]] = field(default_factory=lambda: defaultdict(list))
    counters: Counter[str] = field(default_factory=Counter)

