"""Commission statements (read only): an agent's own, and every agent's for operators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peerlend.marketing.models_staff import Commission
from peerlend.marketing.staff.labels import COMMISSION_STATES, RULE_KIND_LABELS


@dataclass(frozen=True)
class StatementLine:
    commission: Commission
    state: str  # accrued | payout_pending | paid | payout_failed

    @property
    def state_label(self) -> str:
        return str(COMMISSION_STATES[self.state])

    @property
    def rule_label(self) -> str:
        kind = str(self.commission.params.get("kind", ""))
        return str(RULE_KIND_LABELS.get(kind, self.commission.rule))


def _state(c: Commission) -> str:
    if c.withdrawal is None:
        return "accrued"
    return {"pending": "payout_pending", "succeeded": "paid", "failed": "payout_failed"}.get(
        str(c.withdrawal.status), "payout_pending")


def agent_statement(agent_id: int) -> list[StatementLine]:
    rows = Commission.objects.filter(agent_id=agent_id).select_related("withdrawal").order_by("-month", "rule")
    return [StatementLine(c, _state(c)) for c in rows[:240]]


def month_commissions(month: dt.date) -> list[StatementLine]:
    rows = (Commission.objects.filter(month=month).select_related("withdrawal", "agent")
            .order_by("agent__username", "rule"))
    return [StatementLine(c, _state(c)) for c in rows]
