"""API routes of the service-point network: the public store locator (thin: read a selector, shape)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from peerlend.accounts.network import selectors

router = Router(tags=["service points"])


class StaffOut(Schema):
    name: str
    role: str


class ServicePointOut(Schema):
    id: int
    code: str
    name: str
    city: str
    address: str
    opening_hours: str
    phone: str
    staff: list[StaffOut]


@router.get("/service-points", response=list[ServicePointOut], url_name="service_points")
def service_points(request: HttpRequest, city: str = "") -> list[dict[str, object]]:
    """Open service points (optionally of one city); staff are shown by name and role only."""
    return [{**p, "staff": [{"name": s.name, "role": s.role} for s in p["staff"]]}
            for p in selectors.public_points(city[:80])]
