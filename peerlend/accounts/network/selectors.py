"""Reads of the service-point network: the public locator, a point's staff, visits, verifications, receipts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from peerlend.accounts.models import AgentMembership, Role, ServicePoint
from peerlend.accounts.network.models import CounterReceipt, FieldVerification, PointVisit


@dataclass(frozen=True)
class PublicStaff:
    """What the public sees of a staff member: a display name and the role at the point, nothing else."""

    name: str
    role: str
    role_label: str


def _display_name(user: Any) -> str:
    return (user.get_full_name() or "").strip() or user.username


def public_points(city: str = "") -> list[dict[str, Any]]:
    """Active points (optionally of one city), with the names and roles of their active staff."""
    qs = ServicePoint.objects.filter(active=True).order_by("city", "name", "pk")
    city = (city or "").strip()
    if city:
        qs = qs.filter(city__iexact=city)
    staff = AgentMembership.objects.filter(active=True).select_related("agent").order_by("role", "agent__username")
    qs = qs.prefetch_related(Prefetch("memberships", queryset=staff, to_attr="active_staff"))
    return [{
        "id": p.pk, "code": p.code, "name": p.name, "city": p.city, "address": p.address,
        "opening_hours": p.opening_hours, "phone": p.phone,
        "staff": [PublicStaff(_display_name(m.agent), m.role, str(m.get_role_display())) for m in p.active_staff],
    } for p in qs]


def cities() -> list[str]:
    return sorted(set(ServicePoint.objects.filter(active=True).values_list("city", flat=True)))


def all_points() -> QuerySet[ServicePoint]:
    return ServicePoint.objects.order_by("code")


def point(point_id: int) -> ServicePoint | None:
    return ServicePoint.objects.filter(pk=point_id).first()


def staff_of(point_id: int) -> QuerySet[AgentMembership]:
    return AgentMembership.objects.filter(service_point_id=point_id).select_related("agent").order_by("-active", "pk")


def is_point_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and (user.has_role(Role.OPERATOR) or user.has_role(Role.ADMIN)))


def visits_by(agent: Any, limit: int = 200) -> list[PointVisit]:
    return list(PointVisit.objects.filter(agent_id=agent.pk).select_related("member", "service_point")[:limit])


def verifications_of_loan(loan_id: int) -> QuerySet[FieldVerification]:
    return (FieldVerification.objects.filter(loan_id=loan_id).select_related("agent", "service_point")
            .prefetch_related("checks", "photos"))


def photo_for_viewer(photo_id: int, user: Any) -> Any:
    """A field photo for staff who may read loans, or for the agent who took it; None otherwise."""
    from peerlend.accounts.network.models import FieldPhoto

    photo = FieldPhoto.objects.select_related("verification").filter(pk=photo_id).first()
    if photo is None or not getattr(user, "is_authenticated", False):
        return None
    viewers = (Role.RISK_OFFICER, Role.COLLECTIONS, Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR, Role.ADMIN)
    if any(user.has_role(r) for r in viewers) or photo.verification.agent_id == user.pk:
        return photo
    return None


def receipts_of_loan(loan_id: int) -> QuerySet[CounterReceipt]:
    return CounterReceipt.objects.filter(loan_id=loan_id).select_related("service_point").order_by("-pk")


def receipts_at(point_ids: list[int], limit: int = 200) -> list[CounterReceipt]:
    return list(CounterReceipt.objects.filter(service_point_id__in=point_ids)
                .select_related("borrower", "agent", "service_point")[:limit])


def receipt_for_viewer(receipt_id: int, user: Any) -> CounterReceipt | None:
    """A receipt for the agents of its point, its borrower and staff who read loans."""
    receipt = (CounterReceipt.objects.select_related("service_point", "agent", "borrower", "loan", "payment")
               .filter(pk=receipt_id).first())
    if receipt is None or not getattr(user, "is_authenticated", False):
        return None
    if receipt.borrower_id == user.pk:
        return receipt
    viewers = (Role.RISK_OFFICER, Role.COLLECTIONS, Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR, Role.ADMIN)
    if any(user.has_role(r) for r in viewers):
        return receipt
    if user.has_role(Role.AGENT) and AgentMembership.objects.filter(
            agent_id=user.pk, service_point_id=receipt.service_point_id, active=True).exists():
        return receipt
    return None
