"""Batch commands and Django's DEBUG query log.

With ``DEBUG`` on (the development default) Django wraps every cursor to record each statement
in ``connection.queries``, and on SQLite it runs one more query per statement to quote the
parameters for that record. A batch command (a simulation, the daily batch) runs millions of
statements and never reads the log, so it turns the log off while it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def without_query_log() -> Iterator[None]:
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug
