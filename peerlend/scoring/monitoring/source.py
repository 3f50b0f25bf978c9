"""The rows monitoring reads, handed down by servicing (scoring may not import lending or servicing).

Servicing registers a :class:`MonitoringSource` from ``AppConfig.ready``
(``servicing.monitoring_source``). Without one, monitoring has nothing to read and reports empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peerlend.scoring.facts import ApplicationFacts

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class MonitoredApplication:
    loan_id: int
    submitted_on: date
    channel: str  # lending's Channel value: "online" or "offline"
    service_point: str  # the point's name; "" for online applications
    model_version: str
    pd: Decimal | None  # None: never scored (refused by anti-fraud before scoring)
    grade: str
    term_months: int
    facts: ApplicationFacts
    outcome: str  # APPROVED, REJECTED or PENDING (no decision yet)
    officer_decided: bool  # the final decision was a risk officer's (not an automatic refusal)
    disbursed_on: date | None = None
    bad_on: date | None = None  # first day it was 90+ days past due, defaulted or charged off


@dataclass(frozen=True, slots=True)
class MonitoringSource:
    # Applications submitted on business dates start <= d < end.
    submitted: Callable[[date, date], list[MonitoredApplication]]
    # Loans disbursed start <= d < end, with ``bad_on`` as known on ``as_of`` (the third argument).
    disbursed: Callable[[date, date, date], list[MonitoredApplication]]
    # The model version of the latest scored application and the first day it scored one.
    current_model: Callable[[], tuple[str, date] | None]


_SOURCE: list[MonitoringSource] = []


def register_monitoring_source(source: MonitoringSource) -> None:
    _SOURCE[:] = [source]


def monitoring_source() -> MonitoringSource | None:
    return _SOURCE[0] if _SOURCE else None
