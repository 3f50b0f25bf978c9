"""Builders for public-disclosure tests: operators, published notices, paid-out loans with investors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.disclosure.events import services
from peerlend.disclosure.models_events import RiskEvent
from tests.factories import make_staff
from tests.servicing.conftest import (  # noqa: F401  (fixtures)
    START,
    borrower,
    business_day,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
)


@pytest.fixture
def operator(db: None) -> User:
    return make_staff(Role.OPERATOR)


def event_input(**overrides: Any) -> services.EventInput:
    values: dict[str, Any] = {
        "title": "Custody bank changes its interface", "body": "The custody bank moves to a new system.",
        "category": "custody", "severity": "serious", "occurred_on": START - timedelta(days=1), "language": "en",
    }
    values.update(overrides)
    return services.EventInput(**values)


@pytest.fixture
def make_event(operator: User) -> Callable[..., RiskEvent]:
    """A notice, published unless ``publish=False``."""
    def build(publish: bool = True, **overrides: Any) -> RiskEvent:
        event = services.draft_event(actor=operator, data=event_input(**overrides))
        if publish:
            event = services.publish_event(actor=operator, event_id=event.pk)
        return event

    return build


def day(n: int) -> date:
    return START + timedelta(days=n)
