"""``peerlend statements``: every member with ledger accounts, a progress bar, idempotent, --force."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from peerlend.ledger.models_statements import Statement


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("statements", *args, stdout=out)
    return out.getvalue()


def test_month_for_every_member_with_accounts(world):
    text = _run("--month", "2026-04", "--quiet")
    members = {world.investor.pk, world.other.pk, world.borrower.pk}
    assert set(Statement.objects.values_list("member_id", flat=True)) == members
    assert Statement.objects.count() == 3 * len(members)
    assert set(Statement.objects.values_list("format", flat=True)) == {"csv", "xlsx", "pdf"}
    assert "9 generated, 0 already stored" in text


def test_rerun_regenerates_nothing_unless_forced(world):
    _run("--month", "2026-04", "--quiet")
    stamps = dict(Statement.objects.values_list("pk", "created_at"))
    assert "0 generated, 9 already stored" in _run("--month", "2026-04", "--quiet")
    assert dict(Statement.objects.values_list("pk", "created_at")) == stamps
    assert "9 generated, 0 already stored" in _run("--month", "2026-04", "--quiet", "--force")
    after = dict(Statement.objects.values_list("pk", "created_at"))
    assert set(after) == set(stamps) and all(after[pk] > stamps[pk] for pk in stamps)


def test_one_format_and_one_member(world):
    _run("--month", "2026-03", "--format", "csv", "--member", str(world.other.pk), "--quiet")
    assert list(Statement.objects.values_list("member_id", "format")) == [(world.other.pk, "csv")]


def test_members_who_joined_later_are_skipped(world):
    from tests.factories import make_user
    from tests.lending.conftest import deposit

    late = make_user()
    deposit(late, 100_00)  # on the business date, 2026-05-10: after March
    text = _run("--month", "2026-03", "--quiet")
    assert not Statement.objects.filter(member=late).exists()
    assert "1 members skipped" in text


def test_progress_bar_on_a_terminal_only(world, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _run("--month", "2026-04", "--format", "csv")
    assert "statements 2026-04" in terminal.getvalue() and "3/3" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    _run("--month", "2026-04", "--format", "csv", "--quiet")
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    _run("--month", "2026-04", "--format", "csv")
    assert piped.getvalue() == ""


@pytest.mark.parametrize("args", [("--month", "2026-05"), ("--year", "2026"), ("--month", "2026"),
                                  ("--year", "2026-03"), ("--month", "May")])
def test_open_or_bad_periods_are_refused(world, args):
    with pytest.raises(CommandError):
        _run(*args, "--quiet")
    assert not Statement.objects.exists()


def test_year(world):
    from datetime import date

    from peerlend.clock import set_business_date

    set_business_date(date(2027, 1, 5))
    _run("--year", "2026", "--format", "pdf", "--quiet")
    assert Statement.objects.filter(period_kind="year", format="pdf").count() == 3
