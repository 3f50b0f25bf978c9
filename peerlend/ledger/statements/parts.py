"""What a repayment entry was made of, for the member it touched (a hook filled from above the ledger).

The ledger posts one net amount per account and entry: an investor's line of a repayment is
principal + interest - service fee, a borrower's is principal + interest + late fee (+ what repaid the
risk reserve). The split lives with servicing, which sits above the ledger, so servicing registers a
provider from its ``AppConfig.ready``. The statement builder uses a split only when its parts add up
to the entry's amount on the member's accounts; otherwise the line counts as an unsplit repayment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class EntryParts:
    """One entry's parts for one member, all >= 0 minor units."""

    principal: int = 0
    interest: int = 0  # penalty interest included
    service_fee: int = 0  # deducted from what an investor receives
    late_fee: int = 0  # paid by a borrower
    to_reserve: int = 0  # paid by a borrower to the risk reserve for compensated installments

    @property
    def received_net(self) -> int:
        return self.principal + self.interest - self.service_fee

    @property
    def paid_total(self) -> int:
        return self.principal + self.interest + self.late_fee + self.to_reserve


# (member id, entry ids) -> parts by entry id (entries it knows nothing about are left out).
PartsProvider = Callable[[int, Sequence[int]], Mapping[int, EntryParts]]
_providers: list[PartsProvider] = []


def register_parts_provider(provider: PartsProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def parts_of(member_id: int, entry_ids: Sequence[int]) -> dict[int, EntryParts]:
    found: dict[int, EntryParts] = {}
    if not entry_ids:
        return found
    for provider in _providers:
        for entry_id, parts in provider(member_id, entry_ids).items():
            found.setdefault(entry_id, parts)
    return found
