"""HMAC-SHA256 signing shared by the adapters shipped here (docs/gateway.md, "Signing")."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from peerlend.errors import ApplicationError


def sign(body: bytes, secret: str | None = None) -> str:
    """Lower-case hex HMAC-SHA256 of ``body`` under ``secret`` (default PEERLEND_GATEWAY_SECRET)."""
    key = (secret if secret is not None else settings.PEERLEND_GATEWAY_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_hmac_callback(body: bytes, signature: str, secret: str | None = None) -> dict[str, Any]:
    """Check a hex HMAC-SHA256 signature in constant time and return the JSON object body."""
    if not signature or not hmac.compare_digest(sign(body, secret), signature.strip().lower()):
        raise ApplicationError("bad gateway signature", code="bad_signature", status=401)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError("callback body is not JSON", code="malformed_callback") from None
    if not isinstance(payload, dict):
        raise ApplicationError("callback body must be a JSON object", code="malformed_callback")
    return payload
