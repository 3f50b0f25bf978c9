"""Models of auto-invest: an investor's rules and the record of every placement and skip."""

from __future__ import annotations
