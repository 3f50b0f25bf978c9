"""The demo marketplace that `make run` seeds on first start.

Seeding is idempotent: a marker row (the demo operator) tells that it already ran, so a
restart never duplicates data or prints passwords again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from peerlend.accounts.models import Role

DEMO_MARKER_USERNAME = "demo-operator"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_STAFF: tuple[tuple[str, str], ...] = (
    (DEMO_MARKER_USERNAME, Role.OPERATOR),
    ("demo-risk", Role.RISK_OFFICER),
    ("demo-collections", Role.COLLECTIONS),
    ("demo-compliance", Role.COMPLIANCE),
)


def demo_already_seeded() -> bool:
    return get_user_model().objects.filter(username=DEMO_MARKER_USERNAME).exists()


@transaction.atomic
def seed_demo(password: str | None = None) -> list[DemoLogin]:
    """Create the demo accounts; returns their logins (empty when already seeded)."""
    if demo_already_seeded():
        return []
    user_model = get_user_model()
    logins: list[DemoLogin] = []
    for username, role in DEMO_STAFF:
        pw = password or secrets.token_urlsafe(9)
        user = user_model.objects.create_user(
            username=username, password=pw, roles=[str(role)], is_staff=True
        )
        logins.append(DemoLogin(user.username, pw, str(role)))
    return logins
