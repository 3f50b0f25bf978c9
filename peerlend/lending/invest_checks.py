"""Checks that higher contexts add to ``services.invest`` (investor suitability, disclosures).

Lending sits below investing in the layer order, so it cannot import investing's rules; the
higher context registers a callable from its ``AppConfig.ready`` instead. Each check gets the
investor and the loan (with ``grade``) and raises an ``ApplicationError`` to refuse.

An auto-invest round checks hundreds of investors at once, so a check may also register a batch
form ``(investors, loan) -> {investor id: refusal}`` that answers for all of them in a few queries;
it must refuse exactly whom the single form refuses, with the same error. A check that depends on
the loan only (``per_loan=True``) runs once per batch and its refusal applies to every investor.
Without either, the batch path calls the single form per investor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from peerlend.errors import ApplicationError

InvestCheck = Callable[[Any, Any], None]
BatchInvestCheck = Callable[[Sequence[Any], Any], dict[int, ApplicationError]]


@dataclass(frozen=True)
class _Check:
    single: InvestCheck
    batch: BatchInvestCheck | None = None
    per_loan: bool = False


_CHECKS: dict[str, _Check] = {}


def register_invest_check(name: str, fn: InvestCheck, *, batch: BatchInvestCheck | None = None,
                          per_loan: bool = False) -> None:
    """Add (or replace, by name) a check run before every investment (see the module docstring)."""
    _CHECKS[name] = _Check(fn, batch, per_loan)


def run_invest_checks(investor: Any, loan: Any) -> None:
    for check in _CHECKS.values():
        check.single(investor, loan)


def _per_loan(check: _Check, investors: Sequence[Any], loan: Any) -> dict[int, ApplicationError]:
    try:
        check.single(investors[0], loan)
    except ApplicationError as exc:
        return {investor.pk: exc for investor in investors}
    return {}


def _one_by_one(check: _Check, investors: Sequence[Any], loan: Any) -> dict[int, ApplicationError]:
    refused: dict[int, ApplicationError] = {}
    for investor in investors:
        try:
            check.single(investor, loan)
        except ApplicationError as exc:
            refused[investor.pk] = exc
    return refused


def run_invest_checks_many(investors: Sequence[Any], loan: Any) -> dict[int, ApplicationError]:
    """Each refused investor's error, as :func:`run_invest_checks` would raise it (the first check that refuses)."""
    refused: dict[int, ApplicationError] = {}
    for check in _CHECKS.values():
        left = [investor for investor in investors if investor.pk not in refused]
        if not left:
            break
        if check.batch is not None:
            answer = check.batch(left, loan)
        elif check.per_loan:
            answer = _per_loan(check, left, loan)
        else:
            answer = _one_by_one(check, left, loan)
        refused.update(answer)
    return refused


# -- a coupon at checkout (issue 15 part 3) ---------------------------------------------------------
# Marketing sits above lending: it registers the function that checks a coupon code and ties it to
# the note being placed. It runs inside the note's transaction, so a refused coupon leaves no note.

#: ``(investor, loan, note, code) -> None``; raises an ``ApplicationError`` to refuse the coupon.
NoteCouponRedeemer = Callable[[Any, Any, Any, str], None]
_coupon_redeemer: NoteCouponRedeemer | None = None


def register_note_coupon_redeemer(fn: NoteCouponRedeemer) -> None:
    """Install (or replace) the function that applies a coupon code to a new note."""
    global _coupon_redeemer
    _coupon_redeemer = fn


def redeem_note_coupon(investor: Any, loan: Any, note: Any, code: str) -> None:
    """Apply ``code`` to ``note`` (see :func:`register_note_coupon_redeemer`); refuses when coupons are off."""
    if _coupon_redeemer is None:
        from django.utils.translation import gettext

        raise ApplicationError(gettext("coupons are not available"), code="coupons_unavailable")
    _coupon_redeemer(investor, loan, note, code)
