"""Monthly targets per agent and per service point: the operator sets them (audited), pages read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import AgentMembership, Role, ServicePoint, User
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.marketing.models_staff import (
    AMOUNT_FIELDS,
    COUNT_FIELDS,
    MAX_TARGET_AMOUNT_MINOR,
    MAX_TARGET_COUNT,
    StaffTarget,
)
from peerlend.marketing.staff.metrics import METRICS

OPERATOR_ROLES = (Role.OPERATOR, Role.ADMIN)
# The documented range of each target field (forms, service and database agree).
RANGES: dict[str, tuple[int, int]] = {
    **{f: (0, MAX_TARGET_COUNT) for f in COUNT_FIELDS},
    **{f: (0, MAX_TARGET_AMOUNT_MINOR) for f in AMOUNT_FIELDS},
}


@dataclass(frozen=True)
class TargetInput:
    month: dt.date
    agent_id: int | None
    service_point_id: int | None
    values: dict[str, int]


def is_operator(user: User) -> bool:
    return any(user.has_role(r) for r in OPERATOR_ROLES)


def require_operator(user: User) -> None:
    if not is_operator(user):
        raise PermissionDenied(_("Only operators set staff targets."))


def _clean(data: TargetInput) -> dict[str, int]:
    if (data.agent_id is None) == (data.service_point_id is None):
        raise ApplicationError(_("Choose either an agent or a service point."), code="target_owner")
    if data.month.day != 1:
        raise ApplicationError(_("Invalid month: write it as YYYY-MM."), code="invalid_month")
    values: dict[str, int] = {}
    for field in METRICS:
        value = data.values.get(field, 0)
        low, high = RANGES[field]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ApplicationError(_("Target out of range."), code="target_out_of_range", extra={"field": field})
        values[field] = value
    return values


def _owner(data: TargetInput) -> dict[str, int]:
    if data.agent_id is not None:
        agent = User.objects.filter(pk=data.agent_id).first()
        if agent is None or not agent.has_role(Role.AGENT) or not AgentMembership.objects.filter(agent=agent).exists():
            raise NotFound(_("No such agent."), code="agent_not_found")
        return {"agent_id": data.agent_id}
    if not ServicePoint.objects.filter(pk=data.service_point_id).exists():
        raise NotFound(_("No such service point."), code="point_not_found")
    return {"service_point_id": int(data.service_point_id or 0)}


@transaction.atomic
def set_target(*, actor: User, data: TargetInput) -> StaffTarget:
    """Create or replace one month's targets of one agent or point; audited with old and new values."""
    require_operator(actor)
    values = _clean(data)
    owner = _owner(data)
    target = StaffTarget.objects.select_for_update().filter(month=data.month, **owner).first()
    old = {f: getattr(target, f) for f in METRICS} if target is not None else None
    if target is None:
        target = StaffTarget(month=data.month, **owner)
    for field, value in values.items():
        setattr(target, field, value)
    target.set_by = actor
    target.save()
    record_audit(actor=actor, action="marketing.staff_target_set", target=target, old=old,
                 new={"month": data.month.strftime("%Y-%m"), **owner, **values})
    return target


def targets_of_month(month: dt.date) -> list[StaffTarget]:
    return list(StaffTarget.objects.filter(month=month).select_related("agent", "service_point")
                .order_by("service_point__code", "agent__username"))


def agent_target(agent_id: int, month: dt.date) -> StaffTarget | None:
    return StaffTarget.objects.filter(agent_id=agent_id, month=month).first()
