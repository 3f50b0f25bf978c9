"""SQLite side of the database guards: the function the DELETE triggers consult.

SQLite has no way to switch triggers off for a session, yet Django's ``flush`` (used between
transactional tests and for development resets) empties every table with ``DELETE``. The
append-only triggers therefore ask ``peerlend_ledger_purge_allowed()``, which says yes only
while Django's flush command is on the call stack. Any other DELETE of a posting or a posted
entry is refused; a connection without the function (e.g. the sqlite3 shell) is refused too.
"""

from __future__ import annotations

import sys
from typing import Any

_FLUSH_MARKERS = ("django/core/management/commands/flush.py", "django\\core\\management\\commands\\flush.py")


def purge_allowed() -> int:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.endswith(_FLUSH_MARKERS):
            return 1
        frame = frame.f_back  # type: ignore[assignment]
    return 0


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("peerlend_ledger_purge_allowed", 0, purge_allowed)
