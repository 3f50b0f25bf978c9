"""Payment gateway adapters. ``get_gateway()`` returns the configured one (the sandbox by default)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from peerlend.ledger.gateway.base import PaymentGateway


def get_gateway() -> PaymentGateway:
    path = getattr(settings, "PEERLEND_GATEWAY", "peerlend.ledger.gateway.sandbox.SandboxGateway")
    gateway: PaymentGateway = import_string(path)()
    return gateway


__all__ = ["PaymentGateway", "get_gateway"]
