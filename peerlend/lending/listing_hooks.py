"""What higher contexts do when a loan is listed (wealth plans bid first, then auto-invest rules).

Lending sits below investing in the layer order, so listing cannot import investing. Investing
registers its functions here from ``AppConfig.ready``; they run after the listing commits (never
while the loan row is locked), lowest ``order`` first, each in its own transactions.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

#: ``loan_id -> None``; runs after the listing committed.
ListingHook = Callable[[int], None]
_HOOKS: dict[str, tuple[int, ListingHook]] = {}


def register_listing_hook(name: str, fn: ListingHook, *, order: int) -> None:
    """Add (or replace, by name) a function run after every listing, in ``order`` (lowest first)."""
    _HOOKS[name] = (order, fn)


def run_listing_hooks(loan_id: int) -> None:
    for _order, fn in sorted(_HOOKS.values(), key=lambda item: item[0]):
        fn(loan_id)


def after_listing(loan_id: int) -> None:
    """Schedule the hooks for when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: run_listing_hooks(loan_id))
