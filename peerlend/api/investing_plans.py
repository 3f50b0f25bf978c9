"""API routes of the investing context: plans (thin: parse, call a service or selector, shape the answer)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["investing"])
