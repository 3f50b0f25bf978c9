"""Read queries of the compliance context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from peerlend.compliance.models import GENESIS_HASH, AuditEvent, RegulatorAccess


@dataclass(frozen=True)
class Chain:
    """One hash-chained, append-only table: its model, its name in reports and what its rows are called."""

    model: type[models.Model]
    name: str  # "audit log"
    row: str  # "audit event": violations read "audit event 12: ..."
    rows: str  # "events": "audit log: 12 events, chain intact"


AUDIT_LOG = Chain(AuditEvent, "audit log", "audit event", "events")
ACCESS_LOG = Chain(RegulatorAccess, "regulator access log", "regulator access", "rows")
CHAINS = (AUDIT_LOG, ACCESS_LOG)


@dataclass(frozen=True)
class ChainReport:
    chain: Chain
    count: int
    violations: list[str]

    @property
    def intact(self) -> bool:
        return not self.violations


def verify_chain(chain: Chain) -> ChainReport:
    """Recompute one chain from its first row: the rows checked and the violations (none when intact).

    Detects an edited row (its hash no longer matches its content), a removed or reordered
    row (a broken ``prev_hash`` link) and a forged hash. Each violation names the chain's row.
    """
    violations: list[str] = []
    expected_prev = GENESIS_HASH
    count = 0
    rows: Any = chain.model._default_manager.order_by("id").iterator(chunk_size=2000)
    for row in rows:
        count += 1
        if row.prev_hash != expected_prev:
            violations.append(
                f"{chain.row} {row.pk}: prev_hash {row.prev_hash[:12]}… does not link to the previous "
                f"row of the {chain.name} ({expected_prev[:12]}…): a row was removed, inserted or reordered"
            )
        if row.compute_hash() != row.hash:
            violations.append(f"{chain.row} {row.pk}: stored hash does not match its content (edited row)")
        expected_prev = row.hash
    return ChainReport(chain, count, violations)


def verify_chains() -> list[ChainReport]:
    """Every hash chain of the compliance context, verified: the audit log, then the regulator access log."""
    return [verify_chain(chain) for chain in CHAINS]


def verify_audit_chain() -> list[str]:
    """Recompute both hash chains (audit events, regulator accesses); return the violations (empty when intact).

    Each message names its chain's row ("audit event 12: ...", "regulator access 7: ...").
    """
    return [message for report in verify_chains() for message in report.violations]
