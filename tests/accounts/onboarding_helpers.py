"""Reading what the outbox holds for a member (bodies are stored encrypted)."""

from __future__ import annotations

import re

from peerlend.compliance.crypto import decrypt_pii
from peerlend.ledger.models import OutboxMessage

LINK = re.compile(r"/password/([\w-]+)/([\w-]+)")


def member_messages(user_id: int, kind: str | None = None) -> list[tuple[str, str]]:
    """(kind, decrypted body) of every member message queued for ``user_id``, oldest first."""
    rows = OutboxMessage.objects.filter(kind__startswith="member.").order_by("pk")
    out = []
    for row in rows:
        if row.payload.get("user_id") == user_id and (kind is None or row.kind == kind):
            out.append((row.kind, decrypt_pii(row.payload["body_enc"])))
    return out


def link_path(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(0)
