"""Payment gateway adapters. ``get_gateway()`` returns the one named by ``settings.PEERLEND_GATEWAY``.

The sandbox (``peerlend.ledger.gateway.sandbox.SandboxGateway``) is the default outside
production; production refuses it (settings, then :func:`check_configured` at start-up, then
:func:`get_gateway` on every call), because its pages let the payer "pay" without money.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from peerlend.ledger.gateway.base import GatewayError, PaymentGateway, missing_methods

SANDBOX_PATH = "peerlend.ledger.gateway.sandbox.SandboxGateway"


def gateway_path() -> str:
    return str(getattr(settings, "PEERLEND_GATEWAY", "") or SANDBOX_PATH)


def gateway_class() -> type[Any]:
    path = gateway_path()
    try:
        cls: type[Any] = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"PEERLEND_GATEWAY={path!r} cannot be imported: {exc}") from exc
    return cls


def _refuse_sandbox_in_production(cls: type[Any]) -> None:
    if getattr(settings, "PRODUCTION", False) and getattr(cls, "is_sandbox", False):
        raise ImproperlyConfigured(
            f"PEERLEND_ENV=production refuses the sandbox payment gateway (PEERLEND_GATEWAY={gateway_path()!r}); "
            "configure a real adapter (docs/gateway.md)"
        )


def get_gateway() -> PaymentGateway:
    cls = gateway_class()
    _refuse_sandbox_in_production(cls)
    gateway: PaymentGateway = cls()
    return gateway


def sandbox_enabled() -> bool:
    """True only outside production while the sandbox is the configured gateway (its pages exist)."""
    if getattr(settings, "PRODUCTION", False):
        return False
    try:
        return bool(getattr(gateway_class(), "is_sandbox", False))
    except ImproperlyConfigured:
        return False


def check_configured() -> None:
    """Fail start-up on a gateway that cannot work: not importable, incomplete, or the sandbox in production.

    In production the adapter is also instantiated, so that one missing its own settings
    (bank URLs, merchant id) stops the start rather than the first deposit.
    """
    cls = gateway_class()
    missing = missing_methods(cls)
    if missing:
        raise ImproperlyConfigured(
            f"PEERLEND_GATEWAY={gateway_path()!r} does not implement the payment gateway interface "
            f"(missing: {', '.join(missing)}; see peerlend/ledger/gateway/base.py)"
        )
    _refuse_sandbox_in_production(cls)
    if getattr(settings, "PRODUCTION", False):
        cls()


__all__ = ["GatewayError", "PaymentGateway", "check_configured", "gateway_class", "get_gateway", "sandbox_enabled"]
