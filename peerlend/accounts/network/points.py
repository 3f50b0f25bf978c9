"""Operators create and edit service points and assign their staff (issue 15 part 6). Every change is audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import AgentMembership, Role, ServicePoint, User
from peerlend.accounts.services import require_role
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, Conflict, NotFound

POINT_ADMINS = (Role.ADMIN, Role.OPERATOR)
MAX_CODE, MAX_NAME, MAX_CITY, MAX_ADDRESS, MAX_HOURS, MAX_PHONE = 32, 120, 80, 255, 120, 32


@dataclass(frozen=True)
class PointInput:
    code: str
    name: str
    city: str
    address: str = ""
    opening_hours: str = ""
    phone: str = ""
    active: bool = True

    def cleaned(self) -> PointInput:
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(self).items()}
        data["code"] = data["code"].upper()
        return PointInput(**data)


def _validate(data: PointInput) -> None:
    if not data.code or not data.name or not data.city:
        raise ApplicationError(_("code, name and city are required"), code="invalid_service_point")
    limits = {"code": MAX_CODE, "name": MAX_NAME, "city": MAX_CITY, "address": MAX_ADDRESS,
              "opening_hours": MAX_HOURS, "phone": MAX_PHONE}
    for name, limit in limits.items():
        if len(getattr(data, name)) > limit:
            raise ApplicationError(_("%(field)s is longer than %(n)s characters") % {"field": name, "n": limit},
                                   code="invalid_service_point", extra={"field": name})


def _values(point: ServicePoint) -> dict[str, Any]:
    return {"code": point.code, "name": point.name, "city": point.city, "address": point.address,
            "opening_hours": point.opening_hours, "phone": point.phone, "active": point.active}


@transaction.atomic
def create_point(actor: User, data: PointInput, reason: str = "") -> ServicePoint:
    """Open a service point (operator or admin; audited with its values)."""
    require_role(actor, *POINT_ADMINS)
    data = data.cleaned()
    _validate(data)
    if ServicePoint.objects.filter(code=data.code).exists():
        raise Conflict(_("a service point with this code exists"), code="service_point_exists", extra={"field": "code"})
    point = ServicePoint.objects.create(**asdict(data))
    record_audit(actor=actor, action="accounts.service_point_created", target=point, new=_values(point), reason=reason)
    return point


@transaction.atomic
def update_point(actor: User, point_id: int, data: PointInput, reason: str = "") -> ServicePoint:
    """Edit a point's details; the audit row keeps the old and new values of what changed."""
    require_role(actor, *POINT_ADMINS)
    point = ServicePoint.objects.select_for_update().filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("No such service point."), code="service_point_not_found")
    data = data.cleaned()
    _validate(data)
    if data.code != point.code and ServicePoint.objects.filter(code=data.code).exists():
        raise Conflict(_("a service point with this code exists"), code="service_point_exists", extra={"field": "code"})
    before = _values(point)
    after = asdict(data)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return point
    for name in changed:
        setattr(point, name, after[name])
    point.save(update_fields=changed)
    record_audit(actor=actor, action="accounts.service_point_updated", target=point,
                 old={k: before[k] for k in changed}, new={k: after[k] for k in changed}, reason=reason)
    return point


@transaction.atomic
def assign_staff(actor: User, point_id: int, username: str, role: str, reason: str = "") -> AgentMembership:
    """Make a staff member (holding the agent role) an agent or manager of the point (audited, old and new)."""
    require_role(actor, *POINT_ADMINS)
    if role not in AgentMembership.PointRole.values:
        raise ApplicationError(_("choose agent or manager"), code="invalid_point_role", extra={"field": "role"})
    point = ServicePoint.objects.filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("No such service point."), code="service_point_not_found")
    staff = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if staff is None:
        raise NotFound(_("No staff member with this username."), code="staff_not_found", extra={"field": "username"})
    if not staff.has_role(Role.AGENT):
        raise ApplicationError(_("grant the agent role first"), code="not_an_agent", extra={"field": "username"})
    membership = AgentMembership.objects.select_for_update().filter(agent=staff, service_point=point).first()
    old = None if membership is None else {"role": membership.role, "active": membership.active}
    if membership is None:
        membership = AgentMembership.objects.create(agent=staff, service_point=point, role=role)
    elif old == {"role": role, "active": True}:
        return membership
    else:
        membership.role, membership.active = role, True
        membership.save(update_fields=["role", "active"])
    record_audit(actor=actor, action="accounts.point_staff_assigned", target=point, old=old,
                 new={"staff": staff.username, "role": role, "active": True}, reason=reason)
    return membership


@transaction.atomic
def remove_staff(actor: User, point_id: int, membership_id: int, reason: str = "") -> AgentMembership:
    """End a staff member's work at the point (the row stays, inactive, for the history; audited)."""
    require_role(actor, *POINT_ADMINS)
    membership = (AgentMembership.objects.select_for_update().select_related("agent")
                  .filter(pk=membership_id, service_point_id=point_id).first())
    if membership is None:
        raise NotFound(_("No such staff assignment at this point."), code="membership_not_found")
    if not membership.active:
        return membership
    membership.active = False
    membership.save(update_fields=["active"])
    record_audit(actor=actor, action="accounts.point_staff_removed", target=membership.service_point,
                 old={"staff": membership.agent.username, "role": membership.role, "active": True},
                 new={"staff": membership.agent.username, "role": membership.role, "active": False}, reason=reason)
    return membership
