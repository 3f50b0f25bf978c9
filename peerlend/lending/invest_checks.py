"""Checks that higher contexts add to ``services.invest`` (investor suitability, disclosures).

Lending sits below investing in the layer order, so it cannot import investing's rules; the
higher context registers a callable from its ``AppConfig.ready`` instead. Each check gets the
investor and the loan (with ``grade``) and raises an ``ApplicationError`` to refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

InvestCheck = Callable[[Any, Any], None]
_CHECKS: dict[str, InvestCheck] = {}


def register_invest_check(name: str, fn: InvestCheck) -> None:
    """Add (or replace, by name) a check run before every investment."""
    _CHECKS[name] = fn


def run_invest_checks(investor: Any, loan: Any) -> None:
    for fn in _CHECKS.values():
        fn(investor, loan)
