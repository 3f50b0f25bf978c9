"""What higher contexts add after repayments reach the notes (e.g. a coupon's extra interest).

Servicing sits below marketing in the layer order, so it cannot import marketing. Marketing
registers a function here from its ``AppConfig.ready``; :func:`run_distribution_hooks` calls it in
the payments' transaction, once the payments are stored, each carrying its distribution ``plan``
(``servicing.distribution.NotePlan``: the notes and each one's principal and interest parts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: ``(payments) -> None``; each payment is a saved ``ServicingPayment`` with a ``plan`` attribute (or None).
DistributionHook = Callable[[Sequence[Any]], None]
_HOOKS: dict[str, DistributionHook] = {}


def register_distribution_hook(name: str, fn: DistributionHook) -> None:
    """Add (or replace, by name) a function run after every stored batch of servicing payments."""
    _HOOKS[name] = fn


def run_distribution_hooks(payments: Sequence[Any]) -> None:
    if not payments:
        return
    for fn in _HOOKS.values():
        fn(payments)
