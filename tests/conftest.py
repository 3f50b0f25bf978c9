"""Shared fixtures. Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

# Property tests check values, never speed: on a loaded CI machine input generation may be slow, and a
# health check or deadline about time would fail a correct test.
settings.register_profile("peerlend", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("peerlend")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test-postgres`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a test that activates zh-Hans must not leak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
