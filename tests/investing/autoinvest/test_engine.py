from __future__ import annotations

from peerlend.investing.autoinvest.engine import run_round
from peerlend.investing.models_autoinvest import AutoInvestDecision, AutoInvestRound
from peerlend.lending.models import Note
from tests.lending.conftest import assert_audit_clean, balances


def _decision(investor, loan):
    return AutoInvestDecision.objects.filter(investor=investor, loan=loan).latest("id")


def test_listing_places_one_auto_note_per_investor(list_loan, investor_factory, make_rule):
    investors = [investor_factory(100_000_00) for _ in range(3)]
    for inv in investors:
        make_rule(inv)
    loan = list_loan()  # the listing hook runs the round once the approval commits
    notes = Note.objects.filter(loan=loan)
    assert sorted(n.investor_id for n in notes) == sorted(i.pk for i in investors)
    assert all(n.auto_invested and n.amount_minor == 100_00 for n in notes)
    loan.refresh_from_db()
    assert loan.funded_minor == 300_00
    for inv in investors:
        assert balances(inv) == (100_000_00 - 100_00, 100_00)
        assert _decision(inv, loan).outcome == "placed"
    rnd = AutoInvestRound.objects.get(loan=loan, trigger="listing")
    assert rnd.placed == 3 and rnd.placed_minor == 300_00 and rnd.finished_at is not None
    assert_audit_clean()


def test_rerun_same_round_is_a_no_op(listed_loan, investor_factory, make_rule):
    inv = investor_factory()
    make_rule(inv, notes_per_loan=3)
    loan = listed_loan()
    first = run_round(loan.pk, "command")
    count = Note.objects.filter(loan=loan).count()
    again = run_round(loan.pk, "command")
    assert again.pk == first.pk
    assert Note.objects.filter(loan=loan).count() == count
    assert AutoInvestRound.objects.filter(loan=loan, trigger="command").count() == 1


def test_not_listed_loan_has_no_round(listed_loan, investor_factory, make_rule, officer):
    from peerlend.lending import services

    loan = listed_loan()
    services.cancel(actor=loan.borrower, loan_id=loan.pk, reason="changed my mind")
    assert run_round(loan.pk, "command") is None


def test_criteria_choose_the_loans(listed_loan, investor_factory, make_rule, loan_of_new_borrower):
    probe = listed_loan()
    other = "E" if probe.grade[0] != "E" else "A"
    wants, refuses = investor_factory(), investor_factory()
    make_rule(wants, grades=[probe.grade[0]], terms=[12], channels=["online"])
    make_rule(refuses, grades=[other])
    loan = loan_of_new_borrower()
    assert loan.grade[0] == probe.grade[0]
    assert Note.objects.filter(loan=loan, investor=wants).exists()
    assert not Note.objects.filter(loan=loan, investor=refuses).exists()
    assert not AutoInvestDecision.objects.filter(investor=refuses).exists()  # not a candidate at all


def test_min_rate_above_the_loan_rate_skips_the_loan(investor_factory, make_rule, loan_of_new_borrower):
    inv = investor_factory()
    make_rule(inv, min_rate_bp=3600)
    loan = loan_of_new_borrower()
    assert not Note.objects.filter(loan=loan).exists()
