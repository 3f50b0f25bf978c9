"""Batch commands turn Django's DEBUG query log off while they run, and back on afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from peerlend.querylog import without_query_log


@pytest.mark.django_db
def test_without_query_log_logs_nothing_and_restores_debug(settings: Any) -> None:
    settings.DEBUG = True
    with without_query_log():
        assert not connection.queries_logged
        before = len(connection.queries_log)
        connection.cursor().execute("SELECT 1")
        assert len(connection.queries_log) == before
    assert django_settings.DEBUG is True
    assert connection.queries_logged
