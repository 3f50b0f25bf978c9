"""Generating and storing statements: stored once, sha256, regenerated only with force or a new version."""

from __future__ import annotations

import hashlib

import pytest

from peerlend.errors import ApplicationError
from peerlend.ledger.models_statements import Statement
from peerlend.ledger.statements import services
from peerlend.ledger.statements.periods import parse_period


def test_generate_stores_the_file(world):
    outcome = services.generate(world.investor, parse_period("2026-04"), "pdf")
    assert outcome.created
    stored = Statement.objects.get()
    content = bytes(stored.content)
    assert content.startswith(b"%PDF")
    assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
    assert (stored.member_id, stored.period_kind, str(stored.period_start), stored.format) == (
        world.investor.pk, "month", "2026-04-01", "pdf")
    assert stored.generator_version == services.GENERATOR_VERSION


def test_a_second_request_returns_the_stored_one(world):
    first = services.generate(world.investor, parse_period("2026-04"), "csv").statement
    again = services.generate(world.investor, parse_period("2026-04"), "csv")
    assert not again.created and again.statement.pk == first.pk
    assert Statement.objects.get().created_at == first.created_at


def test_force_and_a_new_generator_version_render_again(world, monkeypatch):
    first = services.generate(world.investor, parse_period("2026-03"), "xlsx").statement
    forced = services.generate(world.investor, parse_period("2026-03"), "xlsx", force=True)
    assert forced.created and forced.statement.pk == first.pk and Statement.objects.count() == 1
    monkeypatch.setattr(services, "GENERATOR_VERSION", services.GENERATOR_VERSION + 1)
    newer = services.generate(world.investor, parse_period("2026-03"), "xlsx")
    assert newer.created
    assert Statement.objects.get().generator_version == services.GENERATOR_VERSION


@pytest.mark.parametrize("period, fmt, code", [
    ("2026-05", "pdf", "period_not_closed"),
    ("2026-02", "pdf", "period_before_joining"),
    ("2026-13", "pdf", "invalid_period"),
    ("2026-04", "docx", "invalid_format"),
    ("2026-04", None, "invalid_format"),
])
def test_refusals_store_nothing(world, period, fmt, code):
    with pytest.raises(ApplicationError) as exc:
        services.request_statement(world.investor, period, fmt)
    assert exc.value.code == code
    assert not Statement.objects.exists()


def test_statement_for_staff_reader_and_nobody_else(world):
    from peerlend.ledger.statements import selectors
    from tests.factories import make_staff

    statement = services.generate(world.investor, parse_period("2026-04"), "csv").statement
    assert selectors.statement_for(world.investor, statement.pk).pk == statement.pk
    for role in ("operator", "compliance", "admin"):
        assert selectors.statement_for(make_staff(role), statement.pk).pk == statement.pk
    for someone in (world.other, world.borrower, make_staff("risk_officer"), make_staff("collections")):
        with pytest.raises(ApplicationError) as exc:
            selectors.statement_for(someone, statement.pk)
        assert exc.value.status == 404
