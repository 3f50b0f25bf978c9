"""Reconciliation of outgoing (payout) items and of mismatched items: wrong amount, unknown reference, missing.

After every open item is resolved, the books' custody mirror tells the bank's story: its balance equals the
statement's net (money in minus money out), and the audit is clean.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any

import pytest
from django.utils import timezone

from peerlend.ledger import payments, services
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import ReconciliationItem
from peerlend.ledger.reconciliation import import_statement, resolve_item
from tests.factories import make_staff
from tests.ledger.conftest import audit_clean

pytestmark = pytest.mark.django_db


def money_call(fn: Any, **kwargs: Any) -> Any:
    """Call a money service; one that takes an idempotency key gets a fresh one."""
    if "idempotency_key" in inspect.signature(fn).parameters:
        kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return fn(**kwargs)


def _deposit(user, minor: int):
    order = payments.create_deposit_order(user, minor)
    assert sandbox.pay(order)[0] == 200
    return order


def _payout(user, minor: int, *, succeed: bool = True):
    withdrawal = money_call(payments.request_withdrawal, user=user, amount_minor=minor)
    assert sandbox.settle_payout(withdrawal, succeed=succeed)[0] == 200
    withdrawal.refresh_from_db()
    return withdrawal


def _custody() -> int:
    return services.platform_account("custody_bank").display_balance_minor


def _statement(*lines: tuple[str, str, str]) -> str:
    day = timezone.localdate().isoformat()
    return "date,reference,amount,direction\n" + "".join(f"{day},{ref},{amount},{way}\n" for ref, amount, way in lines)


def _items() -> dict[tuple[str, str, str], ReconciliationItem]:
    return {(i.side, i.reference, i.direction): i for i in ReconciliationItem.objects.all()}


def test_outgoing_items_matched_unknown_missing_and_mismatched(investor):
    deposit = _deposit(investor, 100_000)
    paid = _payout(investor, 10_000)  # on the statement, same amount: matches
    missing = _payout(investor, 2_000)  # the bank has not paid it out (yet): ledger-only
    short = _payout(investor, 3_000)  # the bank paid 29.99 instead of 30.00: both sides open
    bounced = _payout(investor, 4_000, succeed=False)  # the gateway said it bounced, the bank paid it anyway
    books_before = _custody()
    assert books_before == 100_000 - 10_000 - 2_000 - 3_000

    text = _statement(
        (deposit.reference, "1000.00", "in"),
        (paid.reference, "100.00", "out"),
        (short.reference, "29.99", "out"),
        (bounced.reference, "40.00", "out"),
        ("BANK-FEE-0315", "1.50", "out"),  # unknown reference: money left that the books do not know
        (paid.reference, "100.00", "in"),  # a known reference in the wrong direction matches nothing
    )
    result = import_statement(text, filename="out.csv")
    assert (result.matched, result.unmatched_bank, result.unmatched_ledger) == (2, 4, 2)
    items = _items()
    assert set(items) == {
        ("bank", short.reference, "out"), ("bank", bounced.reference, "out"), ("bank", "BANK-FEE-0315", "out"),
        ("bank", paid.reference, "in"),
        ("ledger", missing.reference, "out"), ("ledger", short.reference, "out"),
    }
    assert items[("bank", short.reference, "out")].amount_minor == 2_999
    assert items[("ledger", short.reference, "out")].amount_minor == 3_000
    assert items[("ledger", missing.reference, "out")].amount_minor == 2_000

    operator = make_staff("operator")
    suspense_before = services.platform_account("suspense").balance_minor
    for item in items.values():
        resolve_item(operator, item, "checked against the bank's advice")
    # The bank's story: +1000.00 in, 100.00 + 29.99 + 40.00 + 1.50 out, 100.00 in.
    bank_net = 100_000 - 10_000 - 2_999 - 4_000 - 150 + 10_000
    assert _custody() == bank_net
    # Suspense holds the difference until someone books it properly.
    assert services.platform_account("suspense").balance_minor - suspense_before == bank_net - books_before
    assert not ReconciliationItem.objects.filter(status="open").exists()
    assert audit_clean()


@pytest.mark.parametrize("direction", ["in", "out"])
def test_amount_mismatch_leaves_both_sides_open_and_resolves_to_the_difference(investor, direction):
    deposit = _deposit(investor, 50_000)
    reference, books_amount = deposit.reference, 50_000
    if direction == "out":
        payout = _payout(investor, 20_000)
        reference, books_amount = payout.reference, 20_000
    lines = [(reference, "200.01" if direction == "out" else "499.99", direction)]
    if direction == "out":
        lines.append((deposit.reference, "500.00", "in"))
    result = import_statement(_statement(*lines), filename="m.csv")
    assert (result.unmatched_bank, result.unmatched_ledger) == (1, 1)
    items = _items()
    bank_amount = 20_001 if direction == "out" else 49_999
    assert items[("bank", reference, direction)].amount_minor == bank_amount
    assert items[("ledger", reference, direction)].amount_minor == books_amount
    operator = make_staff("operator")
    before = _custody()
    for item in items.values():
        resolve_item(operator, item, "amount differs from the bank")
    sign = 1 if direction == "in" else -1
    assert _custody() == before + sign * (bank_amount - books_amount)
    assert audit_clean()


def test_a_statement_line_matches_one_posting_only(investor):
    """Two bank lines with the same reference and amount cannot both match one payout."""
    payout_ = _payout_after_deposit(investor)
    result = import_statement(_statement((payout_.reference, "10.00", "out"), (payout_.reference, "10.00", "out")),
                              filename="dup.csv")
    assert (result.matched, result.unmatched_bank) == (1, 1)
    (dup,) = ReconciliationItem.objects.filter(side="bank")
    assert (dup.reference, dup.direction, dup.amount_minor) == (payout_.reference, "out", 1_000)


def _payout_after_deposit(investor):
    _deposit(investor, 5_000)
    return _payout(investor, 1_000)
