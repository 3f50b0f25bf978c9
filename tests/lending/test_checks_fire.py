"""Every lending audit check can fail: each invariant is broken with raw SQL and the audit names it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction

from peerlend.ledger.audit import registered_checks, run_audit
from peerlend.lending import services
from peerlend.lending.models import Loan
from tests.lending.conftest import START


def sql(statement: str, params: tuple[object, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@dataclass(frozen=True)
class Market:
    listed: Loan  # half funded by one pending note
    current: Loan  # fully funded and disbursed


@pytest.fixture(autouse=True)
def rolled_back(db: None) -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def market(listed_loan, investor_factory, borrower) -> Market:
    from tests.factories import make_user

    listed = listed_loan(amount_minor=2_000_00)
    services.invest(investor=investor_factory(1_000_00), loan_id=listed.pk, amount_minor=1_000_00)
    current = listed_loan(amount_minor=1_000_00, borrower=make_user(roles=("borrower",)))
    services.invest(investor=investor_factory(1_000_00), loan_id=current.pk, amount_minor=1_000_00)
    listed.refresh_from_db()
    current.refresh_from_db()
    assert (listed.status, current.status) == ("listed", "current"), (listed.status, current.status)
    assert current.disbursed_on == START
    assert {v.check for v in run_audit()} == set()
    return Market(listed, current)


def loan_principal_edited(m: Market) -> None:
    sql("UPDATE lending_loan SET principal_outstanding_minor = principal_outstanding_minor - 1 WHERE id = %s",
        (m.current.pk,))


def listing_funded_edited(m: Market) -> None:
    sql("UPDATE lending_loan SET funded_minor = funded_minor + 1 WHERE id = %s", (m.listed.pk,))


def listing_funded_beyond_its_amount(m: Market) -> None:
    # The database refuses it (CHECK loan_funded_within_amount); lifted here, inside the rolled-back test.
    if connection.vendor == "sqlite":
        sql("PRAGMA ignore_check_constraints = 1")
    else:
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no commit-time check queued
        sql("ALTER TABLE lending_loan DROP CONSTRAINT loan_funded_within_amount")
    sql("UPDATE lending_note SET amount_minor = amount_minor + amount_minor WHERE loan_id = %s", (m.listed.pk,))
    sql("UPDATE lending_loan SET funded_minor = funded_minor + funded_minor + 1 WHERE id = %s", (m.listed.pk,))
    if connection.vendor == "sqlite":
        sql("PRAGMA ignore_check_constraints = 0")


def pending_note_grown_with_the_listing(m: Market) -> None:
    # The listing and its notes agree, but the investor's frozen cash no longer covers the note.
    sql("UPDATE lending_note SET amount_minor = amount_minor + 5 WHERE loan_id = %s", (m.listed.pk,))
    sql("UPDATE lending_loan SET funded_minor = funded_minor + 5 WHERE id = %s", (m.listed.pk,))


def schedule_lost(m: Market) -> None:
    sql("DELETE FROM servicing_installment WHERE loan_id = %s", (m.current.pk,))


CASES: list[tuple[Callable[[Market], None], set[str]]] = [
    (loan_principal_edited, {"lending.loan_principal_matches_notes"}),
    (listing_funded_edited, {"lending.listing_funded_matches_notes"}),
    # Notes grown past the investor's frozen cash as well: both are named.
    (listing_funded_beyond_its_amount, {"lending.listing_funded_matches_notes", "lending.pending_notes_are_frozen"}),
    (pending_note_grown_with_the_listing, {"lending.pending_notes_are_frozen"}),
    # The servicing check on the schedule's principal sees the same loss.
    (schedule_lost, {"lending.funded_loans_have_schedules", "servicing.schedule_principal_sums"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_each_lending_check_reports_its_corruption(market, corrupt, expected):
    corrupt(market)
    found = run_audit()
    assert {v.check for v in found} == expected, found


def test_funded_beyond_the_amount_is_named_as_such(market):
    listing_funded_beyond_its_amount(market)
    messages = [v.message for v in run_audit() if v.check == "lending.listing_funded_matches_notes"]
    assert any("exceeds its amount" in m for m in messages), messages


def test_every_lending_check_has_a_corruption_that_fires_it():
    named = {check for _corrupt, expected in CASES for check in expected}
    own = {name for name in registered_checks() if name.startswith("lending.")}
    assert own and own <= named, f"no test breaks {sorted(own - named)}"
