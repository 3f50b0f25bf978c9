"""Read queries of the compliance context."""

from __future__ import annotations

from peerlend.compliance.models import GENESIS_HASH, AuditEvent


def verify_audit_chain() -> list[str]:
    """Recompute the audit chain from the first row; return the violations (empty when intact).

    Detects an edited row (its hash no longer matches its content), a removed or reordered
    row (a broken ``prev_hash`` link) and a forged hash.
    """
    violations: list[str] = []
    expected_prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            violations.append(
                f"audit event {event.pk}: prev_hash {event.prev_hash[:12]}… does not link to the previous "
                f"event ({expected_prev[:12]}…): a row was removed, inserted or reordered"
            )
        recomputed = event.compute_hash()
        if recomputed != event.hash:
            violations.append(f"audit event {event.pk}: stored hash does not match its content (edited row)")
        expected_prev = event.hash
    return violations
