"""Commission rules (configurable in settings) and what they earn an agent in a month (read only).

``PEERLEND["COMMISSION_RULES"]`` is a list of rules; without it, :data:`DEFAULT_RULES`. Kinds:

* ``bp_of_originated_on_time``: ``rate_bp`` basis points of the amount of each loan the agent filed
  whose first ``installments`` installments were all paid on or before their due dates; earned in the
  month the last of those installments was paid (so once per loan). Rounded down per agent and month.
* ``fixed_per_verified_member``: ``amount_minor`` per identity the agent verified in person that month.
* ``fixed_per_registered_member``: ``amount_minor`` per member the agent registered that month.

"That month" is the report's: the business date of the registration or verification
(``metrics.metric_by``, the staff report's own figures), never the wall clock.

Ranges: ``rate_bp`` 0-1,000 (at most 10 %), ``installments`` 1-36, ``amount_minor`` 0-100,000 (1,000.00).
Everything is read from the loan, installment and identity tables, so a month recomputes the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q

from peerlend.lending.models import Loan
from peerlend.marketing.staff.metrics import metric_by
from peerlend.marketing.staff.months import next_month
from peerlend.servicing.models import InstallmentStatus

DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {"code": "originated_on_time", "kind": "bp_of_originated_on_time", "rate_bp": 50, "installments": 3},
    {"code": "verified_member", "kind": "fixed_per_verified_member", "amount_minor": 10_00},
)
KINDS = ("bp_of_originated_on_time", "fixed_per_verified_member", "fixed_per_registered_member")
MAX_RATE_BP = 1_000
INSTALLMENTS = (1, 36)
MAX_UNIT_MINOR = 1_000_00


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    rate_bp: int = 0
    installments: int = 0
    amount_minor: int = 0

    def params(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Line:
    """What one agent earned under one rule in one month."""

    agent_id: int
    rule: Rule
    basis_count: int
    basis_minor: int
    amount_minor: int


def _rule(raw: dict[str, Any]) -> Rule:
    rule = Rule(code=str(raw["code"])[:40], kind=str(raw["kind"]), rate_bp=int(raw.get("rate_bp", 0)),
                installments=int(raw.get("installments", 0)), amount_minor=int(raw.get("amount_minor", 0)))
    if rule.kind not in KINDS:
        raise ValueError(f"commission rule {rule.code!r}: unknown kind {rule.kind!r}")
    if rule.kind == "bp_of_originated_on_time" and not (
            0 <= rule.rate_bp <= MAX_RATE_BP and INSTALLMENTS[0] <= rule.installments <= INSTALLMENTS[1]):
        raise ValueError(f"commission rule {rule.code!r}: rate_bp or installments out of range")
    if rule.kind != "bp_of_originated_on_time" and not 0 <= rule.amount_minor <= MAX_UNIT_MINOR:
        raise ValueError(f"commission rule {rule.code!r}: amount_minor out of range")
    return rule


def configured_rules() -> list[Rule]:
    rules = [_rule(dict(raw)) for raw in settings.PEERLEND.get("COMMISSION_RULES", DEFAULT_RULES)]
    if len({r.code for r in rules}) != len(rules):
        raise ValueError("commission rules: codes must be unique")
    return rules


def qualifying_loans(month: dt.date, installments: int) -> list[tuple[int, int, int]]:
    """(loan id, agent id, amount) of filed loans whose first N installments were on time, the Nth paid in ``month``."""
    on_time = Q(installments__number__lte=installments, installments__status=InstallmentStatus.PAID,
                installments__paid_on__isnull=False, installments__paid_on__lte=F("installments__due_date"))
    rows = (Loan.objects.filter(agent__isnull=False)
            .annotate(nth_paid=Max("installments__paid_on", filter=Q(installments__number=installments)),
                      on_time=Count("installments", filter=on_time))
            .filter(nth_paid__gte=month, nth_paid__lt=next_month(month), on_time=installments)
            .order_by("pk").values_list("pk", "agent_id", "amount_minor"))
    return [(int(pk), int(agent), int(amount)) for pk, agent, amount in rows]


def _lines(rule: Rule, month: dt.date) -> list[Line]:
    if rule.kind == "bp_of_originated_on_time":
        basis: dict[int, list[int]] = defaultdict(list)
        for _pk, agent_id, amount in qualifying_loans(month, rule.installments):
            basis[agent_id].append(amount)
        return [Line(agent_id, rule, len(amounts), sum(amounts), sum(amounts) * rule.rate_bp // 10_000)
                for agent_id, amounts in sorted(basis.items())]
    # The report's own figures (``metrics``): the same rows and the same business-date month.
    metric = "identities_verified" if rule.kind == "fixed_per_verified_member" else "members_registered"
    counts = metric_by(metric, "agent", month, next_month(month))
    return [Line(int(agent_id), rule, n, 0, n * rule.amount_minor) for agent_id, n in sorted(counts.items())]


def compute_month(month: dt.date, rules: list[Rule] | None = None) -> list[Line]:
    """Every agent's commission lines for ``month`` (zero amounts included; booking skips them)."""
    return [line for rule in (rules if rules is not None else configured_rules()) for line in _lines(rule, month)]
