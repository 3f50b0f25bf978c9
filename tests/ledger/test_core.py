from __future__ import annotations

import pytest

from peerlend.errors import ApplicationError
from peerlend.ledger import selectors, services
from peerlend.ledger.models import JournalEntry, LedgerAccount, Posting
from tests.ledger.conftest import audit_clean, fund

pytestmark = pytest.mark.django_db


def test_platform_accounts_exist_from_migration_and_lazily():
    codes = set(LedgerAccount.objects.filter(kind="platform").values_list("code", flat=True))
    assert "platform:custody_bank" in codes and "platform:suspense" in codes
    assert services.platform_account("fee_income").code == "platform:fee_income"
    assert services.platform_account("platform:fee_income").code == "platform:fee_income"
    with pytest.raises(ValueError):
        services.platform_account("nonsense")


def test_post_entry_moves_balances_and_sums_to_zero(investor):
    entry = fund(investor, 10_000)
    assert entry.posted
    entry.refresh_from_db()
    assert entry.posted
    assert sum(p.amount_minor for p in entry.postings.all()) == 0
    b = selectors.balances(investor)
    assert (b.available_minor, b.frozen_minor) == (10_000, 0)
    custody = services.platform_account("custody_bank")
    assert custody.balance_minor == -10_000
    assert custody.display_balance_minor == 10_000
    assert audit_clean()


def test_post_entry_merges_lines_on_the_same_account(investor):
    fund(investor, 5_000)
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")
    entry = services.post_entry(kind="fee", lines=[(acc.available, -100), (fee, 60), (fee, 40)], reference="x")
    assert entry.postings.count() == 2
    assert services.platform_account("fee_income").balance_minor == 100


@pytest.mark.parametrize(
    "amounts",
    [[100, -99], [0, 0], [100], [], [100, -100.0]],
    ids=["unbalanced", "zero", "one-line", "empty", "float"],
)
def test_post_entry_rejects_programming_errors(investor, amounts):
    acc = services.user_accounts(investor)
    fee = services.platform_account("fee_income")
    targets = [acc.available, fee]
    before = (JournalEntry.objects.count(), Posting.objects.count())
    with pytest.raises(ValueError):
        services.post_entry(kind="bad", lines=list(zip(targets, amounts, strict=False)))
    assert (JournalEntry.objects.count(), Posting.objects.count()) == before


def test_lines_cancelling_out_on_one_account_are_rejected(investor):
    acc = services.user_accounts(investor)
    with pytest.raises(ValueError):
        services.post_entry(kind="bad", lines=[(acc.available, 5), (acc.available, -5)])


def test_insufficient_funds_writes_nothing(investor):
    fund(investor, 1_000)
    before = (JournalEntry.objects.count(), Posting.objects.count())
    with pytest.raises(ApplicationError) as info:
        services.freeze(investor, 1_001, kind="invest_freeze", reference="loan:1")
    assert info.value.code == "insufficient_funds"
    assert "have 10.00, need 10.01" in info.value.message
    assert (JournalEntry.objects.count(), Posting.objects.count()) == before
    assert selectors.balances(investor).available_minor == 1_000


def test_risk_reserve_cannot_go_negative():
    reserve = services.platform_account("risk_reserve")
    suspense = services.platform_account("suspense")
    with pytest.raises(ApplicationError):
        services.post_entry(kind="x", lines=[(reserve, -1), (suspense, 1)])


def test_freeze_and_unfreeze(investor):
    fund(investor, 3_000)
    services.freeze(investor, 1_000, kind="invest_freeze", reference="loan:7")
    assert selectors.balances(investor) == selectors.Balances(2_000, 1_000, "CNY")
    services.unfreeze(investor, 400, kind="invest_refund", reference="loan:7")
    assert selectors.balances(investor) == selectors.Balances(2_400, 600, "CNY")
    with pytest.raises(ApplicationError):
        services.unfreeze(investor, 601, kind="invest_refund", reference="loan:7")
    entries = selectors.recent_entries(investor)
    assert [e.kind for e in entries] == ["invest_refund", "invest_freeze", "deposit"]
    assert (entries[0].available_change_minor, entries[0].frozen_change_minor) == (400, -400)
    assert audit_clean()


def test_user_accounts_get_or_create_is_stable(investor):
    a = services.user_accounts(investor)
    b = services.user_accounts(investor)
    assert a.available.pk == b.available.pk and a.frozen.pk == b.frozen.pk
    assert a.available.code == f"user:{investor.pk}:available"
