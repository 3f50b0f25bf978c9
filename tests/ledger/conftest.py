from __future__ import annotations

import pytest
from django.core.management import call_command

from peerlend.ledger import services
from tests.factories import make_user


@pytest.fixture
def investor(db):
    return make_user()


def fund(user, amount_minor: int):
    """Credit ``user`` as a settled deposit would (custody_bank -> available)."""
    accounts = services.user_accounts(user)
    return services.post_entry(
        kind="deposit",
        lines=[(services.platform_account("custody_bank"), -amount_minor), (accounts.available, amount_minor)],
        reference=f"test-fund:{user.pk}",
    )


def audit_clean() -> bool:
    try:
        call_command("audit")
    except SystemExit as exc:
        return exc.code == 0
    return True
