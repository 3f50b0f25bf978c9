"""Parsing of ids and numbers that pages receive in forms and query strings.

Every id a page reads from request data goes through :func:`form_id`: a value that is not a
positive whole number fitting a 64-bit column ("abc", "-1", "1e3", twenty digits) is refused
before it reaches a query (where it would be a ValueError or an integer overflow: a 500).
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def form_id(value: object) -> int | None:
    """The id in ``value``, or None when it is not a positive integer of at most 64 bits."""
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
