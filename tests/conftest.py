"""Shared fixtures. Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test-postgres`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
