"""Completion reports: actual vs target and completion % by agent, point, city or month (read only).

Targets of points add up to a city's and to a month's; an agent's row compares with the agent's own
target. Completion is actual / target in per cent, one decimal, rounded half-up; no target, no %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from peerlend.accounts.models import ServicePoint, User
from peerlend.marketing.models_staff import StaffTarget
from peerlend.marketing.staff.metrics import METRICS, Grouping, Key, actuals
from peerlend.marketing.staff.months import last_months, next_month

MONTHS_SHOWN = 12  # the "by month" report: the chosen month and the eleven before it


@dataclass(frozen=True)
class Cell:
    actual: int
    target: int

    @property
    def percent(self) -> Decimal | None:
        if self.target <= 0:
            return None
        return (Decimal(self.actual) * 100 / Decimal(self.target)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    key: Key
    label: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Report:
    grouping: Grouping
    month: dt.date
    rows: list[Row]

    def total(self) -> dict[str, Cell]:
        return {m: Cell(sum(r.cells[m].actual for r in self.rows), sum(r.cells[m].target for r in self.rows))
                for m in METRICS}


def _sum_targets(qs: object, field: str) -> dict[Key, dict[str, int]]:
    rows = qs.order_by().values(field).annotate(**{m: Sum(m) for m in METRICS})  # type: ignore[attr-defined]
    return {row[field]: {m: int(row[m] or 0) for m in METRICS} for row in rows}


def _targets(grouping: Grouping, months: list[dt.date]) -> dict[Key, dict[str, int]]:
    if grouping == "agent":
        return _sum_targets(StaffTarget.objects.filter(month=months[0], agent__isnull=False), "agent_id")
    points = StaffTarget.objects.filter(month__in=months, service_point__isnull=False)
    field = {"point": "service_point_id", "city": "service_point__city", "month": "month"}[grouping]
    return _sum_targets(points, field)


def _labels(grouping: Grouping, keys: list[Key]) -> dict[Key, str]:
    if grouping == "agent":
        return {u.pk: u.username for u in User.objects.filter(pk__in=keys)}
    if grouping == "point":
        return {p.pk: f"{p.code} {p.name}" for p in ServicePoint.objects.filter(pk__in=keys)}
    if grouping == "month":
        return {k: k.strftime("%Y-%m") for k in keys}
    return {k: str(k) for k in keys}


def completion_report(grouping: Grouping, month: dt.date, *, as_of: dt.date | None = None) -> Report:
    """The report of ``month`` (or, by month, of the twelve months up to it)."""
    months = last_months(month, MONTHS_SHOWN) if grouping == "month" else [month]
    done = actuals(grouping, months[0], next_month(months[-1]), as_of=as_of)
    wanted = _targets(grouping, months)
    keys = list(set(done) | set(wanted))
    labels = _labels(grouping, keys)
    rows = [
        Row(key=k, label=labels.get(k, str(k)),
            cells={m: Cell(done.get(k, {}).get(m, 0), wanted.get(k, {}).get(m, 0)) for m in METRICS})
        for k in keys
    ]
    rows.sort(key=lambda r: (r.key,) if grouping == "month" else (r.label,))
    return Report(grouping=grouping, month=month, rows=rows)


def agent_progress(agent_id: int, month: dt.date, *, as_of: dt.date | None = None) -> dict[str, Cell]:
    """One agent's own month: actual vs their target, per metric."""
    done = actuals("agent", month, next_month(month), as_of=as_of, agent_id=agent_id).get(agent_id, {})
    target = StaffTarget.objects.filter(agent_id=agent_id, month=month).first()
    return {m: Cell(done.get(m, 0), int(getattr(target, m)) if target is not None else 0) for m in METRICS}

