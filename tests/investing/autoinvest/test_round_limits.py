"""Each limit of a round, end to end: the note placed, or the skip with its reason and figures."""

from __future__ import annotations

from peerlend.investing.autoinvest.selectors import explain, not_reached
from peerlend.investing.models_autoinvest import AutoInvestDecision
from peerlend.ledger import services as ledger
from peerlend.lending import services as lending
from peerlend.lending.models import Note
from tests.factories import make_user
from tests.lending.conftest import assert_audit_clean, deposit


def _last(investor, loan):
    return AutoInvestDecision.objects.filter(investor=investor, loan=loan).latest("id")


def _held(investor, loan):
    return sum(Note.objects.filter(investor=investor, loan=loan).values_list("amount_minor", flat=True))


def test_fair_order_highest_idle_share_first_when_room_runs_out(investor_factory, make_rule, loan_of_new_borrower):
    idle = investor_factory(10_000_00)
    busy = investor_factory(10_000_00)
    # Half of the busy investor's cash is already committed to another listing (frozen).
    other = loan_of_new_borrower()
    lending.invest(investor=busy, loan_id=other.pk, amount_minor=5_000_00)
    rich_but_busy = investor_factory(100_000_00)
    lending.invest(investor=rich_but_busy, loan_id=other.pk, amount_minor=3_000_00)
    for inv in (idle, busy, rich_but_busy):
        make_rule(inv, amount_per_note_minor=150_00, max_per_loan_minor=150_00, max_borrower_share_bp=10_000)
    # 1,000 CNY: auto-invest may take 900, room enough for the three notes of 150.
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    assert _held(idle, loan) == 150_00 and _held(rich_but_busy, loan) == 150_00 and _held(busy, loan) == 150_00
    # Now a loan with room for two notes only: 50 % idle (busy) goes last and is skipped.
    for inv in (idle, busy, rich_but_busy):
        inv.auto_invest_rules.update(amount_per_note_minor=450_00, max_per_loan_minor=450_00)
    small = loan_of_new_borrower(amount_minor=1_000_00)
    assert _held(idle, small) == 450_00 and _held(rich_but_busy, small) == 450_00
    assert _held(busy, small) == 0
    # Not reached: no decision row, the round's cut-off instead (two served, down to idle's share).
    assert not AutoInvestDecision.objects.filter(investor=busy, loan=small).exists()
    rnd = small.auto_invest_rounds.get()
    assert (rnd.reached, rnd.cutoff_reason, rnd.candidates) == (2, "loan_room", 3)
    [row] = not_reached(busy, small.pk)
    assert row["round"] == rnd and "idle-cash share of" in row["text"]
    assert not_reached(idle, small.pk) == []


def test_last_part_is_left_to_manual_investors(investor_factory, make_rule, loan_of_new_borrower):
    a, b = investor_factory(), investor_factory()
    for inv in (a, b):
        make_rule(inv, amount_per_note_minor=1_000_00, max_per_loan_minor=1_000_00, max_borrower_share_bp=10_000)
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    loan.refresh_from_db()
    assert loan.funded_minor == 900_00 and loan.status == "listed"
    first, second = sorted((a, b), key=lambda inv: -_held(inv, loan))
    assert _held(first, loan) == 900_00
    assert not AutoInvestDecision.objects.filter(investor=second, loan=loan).exists()
    [row] = not_reached(second, loan.pk)
    assert row["round"].cutoff_reason == "loan_room" and "manual investors" in row["text"]
    manual = investor_factory()
    lending.invest(investor=manual, loan_id=loan.pk, amount_minor=100_00)  # a manual investor completes it
    loan.refresh_from_db()
    assert loan.status == "current"
    assert_audit_clean()


def test_last_part_setting(settings, investor_factory, make_rule, loan_of_new_borrower):
    settings.PEERLEND = {**settings.PEERLEND, "AUTO_INVEST_LAST_PART_BP": 5000}
    inv = investor_factory()
    make_rule(inv, amount_per_note_minor=1_000_00, max_per_loan_minor=1_000_00, max_borrower_share_bp=10_000)
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    assert _held(inv, loan) == 500_00


def test_borrower_concentration(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory(10_000_00)  # 2 % of 10,000 CNY = 200 CNY per borrower
    make_rule(inv, amount_per_note_minor=500_00, max_per_loan_minor=500_00)
    loan = loan_of_new_borrower()
    assert _held(inv, loan) == 200_00
    small = investor_factory(2_000_00)  # 40 CNY: less than one note
    make_rule(small, amount_per_note_minor=500_00, max_per_loan_minor=500_00)
    loan2 = loan_of_new_borrower()
    assert _held(small, loan2) == 0
    d = _last(small, loan2)
    assert d.reason == "borrower_concentration" and d.params["limit"] == 40_00
    assert "40.00" in explain(d)


def test_cash_reserve(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory(1_000_00)
    make_rule(inv, cash_reserve_minor=950_00, max_borrower_share_bp=10_000)
    loan = loan_of_new_borrower()
    assert _held(inv, loan) == 50_00
    loan2 = loan_of_new_borrower()
    d = _last(inv, loan2)
    assert d.reason == "cash_reserve" and d.params == {"available": 950_00, "reserve": 950_00}
    assert "950.00" in explain(d)


def test_monthly_cap(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory()
    make_rule(inv, monthly_cap_minor=150_00)
    first, second, third = (loan_of_new_borrower() for _ in range(3))
    assert (_held(inv, first), _held(inv, second), _held(inv, third)) == (100_00, 50_00, 0)
    d = _last(inv, third)
    assert d.reason == "monthly_cap" and d.params == {"used": 150_00, "limit": 150_00}


def test_monthly_cap_starts_again_next_month(investor_factory, make_rule, loan_of_new_borrower):
    from datetime import date

    from peerlend.clock import set_business_date

    inv = investor_factory()
    make_rule(inv, monthly_cap_minor=100_00)
    loan_of_new_borrower()
    set_business_date(date(2026, 4, 1))
    assert _held(inv, loan_of_new_borrower()) == 100_00


def test_notes_per_loan(investor_factory, make_rule, loan_of_new_borrower):
    many, one = investor_factory(), investor_factory()
    make_rule(many, notes_per_loan=3)
    make_rule(one)
    loan = loan_of_new_borrower()
    assert Note.objects.filter(loan=loan, investor=many).count() == 3
    assert Note.objects.filter(loan=loan, investor=one).count() == 1


def test_max_per_loan_counts_manual_notes(investor_factory, make_rule, listed_loan, officer):
    from peerlend.investing.autoinvest.engine import run_round

    inv = investor_factory()
    make_rule(inv, max_per_loan_minor=100_00)
    loan = listed_loan()  # hooks not run: the investor buys by hand first
    lending.invest(investor=inv, loan_id=loan.pk, amount_minor=100_00)
    run_round(loan.pk, "command")
    assert _held(inv, loan) == 100_00
    assert _last(inv, loan).reason in ("max_per_loan", "notes_per_loan")


def test_own_loan_is_skipped(make_rule, list_loan, borrower):
    deposit(borrower, 10_000_00)
    make_rule(borrower)
    loan = list_loan()
    assert not Note.objects.filter(loan=loan).exists()
    assert _last(borrower, loan).reason == "own_loan"


def test_unsuitable_investor_is_skipped_with_the_check_code(make_rule, loan_of_new_borrower):
    inv = make_user(roles=("investor",), suitable=False)
    deposit(inv, 10_000_00)
    make_rule(inv)
    loan = loan_of_new_borrower()
    d = _last(inv, loan)
    assert d.reason == "suitability_required" and d.params["code"] == "suitability_required"
    assert explain(d) == d.params["message"]


def test_no_cash_is_skipped(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory(0)
    make_rule(inv)
    loan = loan_of_new_borrower()
    assert _last(inv, loan).reason == "insufficient_cash"


def test_disabled_rule_does_nothing(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory()
    make_rule(inv, enabled=False)
    loan = loan_of_new_borrower()
    assert not AutoInvestDecision.objects.filter(investor=inv, loan=loan).exists()


def test_a_failing_freeze_drops_that_investor_only(investor_factory, make_rule, loan_of_new_borrower):
    from peerlend.lending import invest_checks

    a, b, c = investor_factory(), investor_factory(), investor_factory()
    for inv in (a, b, c):
        make_rule(inv)

    def spend_b(investor, loan):  # b's cash goes elsewhere after b's checks passed, before the batch
        if investor.pk == b.pk:
            ledger.freeze(investor, 100_000_00, kind="withdrawal_freeze", reference="test:spent")

    invest_checks.register_invest_check("test.spend", spend_b)
    try:
        loan = loan_of_new_borrower()
    finally:
        invest_checks._CHECKS.pop("test.spend")
    assert _held(a, loan) == 100_00 and _held(c, loan) == 100_00 and _held(b, loan) == 0
    d = _last(b, loan)
    assert d.reason == "insufficient_funds" and d.params == {"available": 0}
    loan.refresh_from_db()
    assert loan.funded_minor == 200_00


def test_daily_run_places_for_rules_created_after_the_listing(investor_factory, make_rule, listed_loan, business_day):
    from datetime import timedelta

    from peerlend.servicing.batch import run_day

    loan = listed_loan()
    inv = investor_factory()
    make_rule(inv)
    summary = run_day(business_day + timedelta(days=1))
    assert summary["auto_invest"] == 1
    assert _held(inv, loan) == 100_00
    # A second run of the same day is a no-op.
    assert run_day(business_day + timedelta(days=1))["auto_invest"] == "already done"
    assert _held(inv, loan) == 100_00


def test_same_skip_is_not_repeated_every_day(investor_factory, make_rule, listed_loan):
    from peerlend.investing.autoinvest.engine import run_round

    inv = investor_factory(0)
    make_rule(inv)
    loan = listed_loan()
    run_round(loan.pk, "daily")
    run_round(loan.pk, "command")
    assert AutoInvestDecision.objects.filter(investor=inv, loan=loan).count() == 1


def test_command_prints_a_summary(investor_factory, make_rule, listed_loan):
    from io import StringIO

    from django.core.management import call_command

    inv = investor_factory()
    make_rule(inv)
    loan = listed_loan()
    out = StringIO()
    call_command("auto_invest", "--loan", str(loan.pk), stdout=out)
    assert f"loan {loan.pk}: 1 notes placed (100.00 CNY)" in out.getvalue()
    assert _held(inv, loan) == 100_00
    out = StringIO()
    call_command("auto_invest", stdout=out)  # every listing; this one's round already ran today
    assert "auto-invest: 1 rounds, 1 notes" in out.getvalue()
    assert _held(inv, loan) == 100_00


def _next_loan_id() -> int:
    """The id the next loan gets (PostgreSQL's sequence does not go back when a test rolls back)."""
    from django.db import connection

    from peerlend.lending.models import Loan

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('lending_loan', 'id')")
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last, called = cursor.fetchone()
        return last + 1 if called else last
    return (Loan.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def test_a_refused_investor_leaves_the_room_to_the_next(investor_factory, make_rule, loan_of_new_borrower):
    from peerlend.domain.auto_invest import tie_key
    from peerlend.investing.models import SuitabilityAssessment

    investors = [investor_factory() for _ in range(3)]
    for inv in investors:
        make_rule(inv, amount_per_note_minor=450_00, max_per_loan_minor=450_00, max_borrower_share_bp=10_000)
    # Equal idle shares: the tie key puts one first; that one is refused by the suitability check.
    next_id = _next_loan_id()
    first = min(investors, key=lambda inv: tie_key(next_id, inv.pk))
    SuitabilityAssessment.objects.filter(investor=first).delete()
    loan = loan_of_new_borrower(amount_minor=1_000_00)
    assert loan.pk == next_id
    assert _held(first, loan) == 0 and _last(first, loan).reason == "suitability_required"
    assert sorted(_held(inv, loan) for inv in investors if inv.pk != first.pk) == [450_00, 450_00]
