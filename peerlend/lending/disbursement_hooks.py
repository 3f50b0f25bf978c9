"""What servicing adds to a disbursement: the repayment schedule and the risk-reserve share of the fee.

Lending sits below servicing in the layer order, so ``disburse`` cannot import servicing. Servicing
registers its two functions here from its ``AppConfig.ready`` (the same pattern as
``invest_checks``). A disbursement without them would leave a loan with no schedule, so it fails
loudly instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

#: ``(loan, start) -> installments`` (each with ``number``, ``due_date``, ``principal_minor``, ``interest_minor``).
ScheduleWriter = Callable[[Any, date], Sequence[Any]]
#: ``fee_minor -> [(account, amount_minor), ...]``: extra lines of the disbursement entry, summing to zero.
FeeLines = Callable[[int], list[tuple[Any, int]]]


@dataclass(frozen=True)
class DisbursementHooks:
    write_schedule: ScheduleWriter
    fee_lines: FeeLines


_hooks: DisbursementHooks | None = None


def register_disbursement_hooks(*, write_schedule: ScheduleWriter, fee_lines: FeeLines) -> None:
    """Install (or replace) the schedule writer and the fee-share lines used by every disbursement."""
    global _hooks
    _hooks = DisbursementHooks(write_schedule=write_schedule, fee_lines=fee_lines)


def disbursement_hooks() -> DisbursementHooks:
    if _hooks is None:
        raise RuntimeError("no disbursement hooks registered: the servicing app must be installed")
    return _hooks


# -- after the disbursement (issue 15: coupons paid by the platform) --------------------------------
#: ``(loan, notes) -> None``; runs inside the disbursement's transaction, after its entry posted.
AfterDisbursement = Callable[[Any, Sequence[Any]], None]
_AFTER: dict[str, AfterDisbursement] = {}


def register_after_disbursement(name: str, fn: AfterDisbursement) -> None:
    """Add (or replace, by name) a function run in every disbursement's transaction, after it posted."""
    _AFTER[name] = fn


def run_after_disbursement(loan: Any, notes: Sequence[Any]) -> None:
    for fn in _AFTER.values():
        fn(loan, notes)
