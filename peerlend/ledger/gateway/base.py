"""The payment-gateway adapter interface: what a custody bank or payment provider adapter implements.

The platform never moves real money itself. It asks the gateway to collect a deposit (the payer
is sent to the gateway's page) or to pay a withdrawal out, and learns the outcome only from a
*signed callback* that the gateway POSTs to ``/api/gateway/callback``. docs/gateway.md describes
the contract for adapter authors; this module is its code form.

Contract, in short:

* ``create_deposit_order`` runs inside the request that created the order; it must not move
  money and should not need the network (build a signed redirect URL). It may raise
  ``ApplicationError`` to refuse.
* ``request_payout`` is called by the outbox sender *after* the withdrawal has committed, never
  inside a database transaction, and **at least once**: a retry after a timeout can repeat a
  request the bank already accepted, so the adapter passes ``withdrawal.public_id`` as the
  bank's idempotency key / merchant reference and treats "already accepted" as success. Any
  exception means "not sent, retry later" (bounded; see ``peerlend.ledger.outbox``).
* ``verify_callback`` authenticates a callback body and returns its payload (``DepositCallback``
  or ``PayoutCallback`` below); the platform applies each event once, however often it is
  delivered.
* ``query_status`` lets reconciliation ask the gateway what it knows about one order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, TypedDict, runtime_checkable

if TYPE_CHECKING:
    from peerlend.ledger.models import DepositOrder, Withdrawal

# The HTTP header carrying a callback's signature (hex HMAC-SHA256 of the raw body for the
# adapters shipped here; an adapter for another scheme reads what its gateway sends).
SIGNATURE_HEADER = "X-Gateway-Signature"


class DepositCallback(TypedDict):
    """A deposit's outcome. ``amount`` is a decimal string in major units ("1000.00")."""

    type: Literal["deposit"]
    order_id: str  # DepositOrder.public_id
    amount: str
    currency: str
    status: Literal["succeeded", "failed"]
    gateway_txn: str  # the gateway's own transaction id (kept as gateway_reference)


class PayoutCallback(TypedDict):
    """A payout's outcome: succeeded (money left custody) or failed (bounced; funds unfrozen)."""

    type: Literal["payout"]
    withdrawal_id: str  # Withdrawal.public_id
    amount: str
    currency: str
    status: Literal["succeeded", "failed"]
    gateway_txn: str


class GatewayStatus(TypedDict):
    """What the gateway says about one order when asked (reconciliation)."""

    status: Literal["pending", "succeeded", "failed", "unknown"]
    amount: str
    currency: str
    gateway_txn: str


class GatewayError(Exception):
    """The gateway could not be reached or refused a request; the outbox retries it later."""


@runtime_checkable
class PaymentGateway(Protocol):
    """What the platform calls. ``is_sandbox`` is True only for the in-process test gateway."""

    is_sandbox: bool

    def create_deposit_order(self, order: DepositOrder) -> str:
        """Register ``order`` with the gateway; return the URL the payer is sent to.

        A relative URL is made absolute against the request by the caller. Money arrives only
        with the verified deposit callback, never because this returned.
        """
        ...

    def request_payout(self, withdrawal: Withdrawal) -> None:
        """Ask the gateway to pay ``withdrawal`` to the member's verified bank card.

        Called after commit, outside any transaction, at least once (idempotent on
        ``withdrawal.public_id``). Raise (``GatewayError`` or any exception) when the request
        was not accepted; return normally once the gateway has it. The outcome arrives later as
        a signed payout callback.
        """
        ...

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        """Return the callback's payload if ``signature`` is valid for ``body``.

        Raises ``ApplicationError`` with code ``bad_signature`` (forged or missing, status 401)
        or ``malformed_callback`` (not a JSON object). Compare signatures in constant time.
        """
        ...

    def query_status(self, kind: Literal["deposit", "payout"], public_id: str) -> GatewayStatus | None:
        """The gateway's view of one deposit order or payout, or None when it cannot tell."""
        ...


REQUIRED_METHODS = ("create_deposit_order", "request_payout", "verify_callback", "query_status")


def missing_methods(adapter: type) -> list[str]:
    """The interface methods ``adapter`` lacks (checked when the platform starts)."""
    return [name for name in REQUIRED_METHODS if not callable(getattr(adapter, name, None))]
