"""The payment-gateway adapter interface. A real gateway (bank, third-party payments) implements it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from peerlend.ledger.models import DepositOrder, Withdrawal


class PaymentGateway(Protocol):
    def create_deposit_order(self, order: DepositOrder) -> str:
        """Register the order with the gateway; return the URL the payer is sent to."""

    def request_payout(self, withdrawal: Withdrawal) -> None:
        """Ask the gateway to pay ``withdrawal`` out; the result arrives later as a signed callback."""

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        """Return the callback's payload if ``signature`` is valid for ``body``.

        Raises ``ApplicationError`` with code ``bad_signature`` (forged) or ``malformed_callback``.
        """
