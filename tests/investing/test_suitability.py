"""Investor suitability: the risk questionnaire sets the grades an investor may buy, for a year."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.errors import ApplicationError
from peerlend.investing import questionnaire as q
from peerlend.investing import services
from peerlend.investing.models import DisclosureAcknowledgement, SuitabilityAssessment
from peerlend.lending import services as lending
from peerlend.lending.models import Note
from tests.factories import make_staff, make_user
from tests.lending.conftest import START, deposit

pytestmark = pytest.mark.django_db

CAUTIOUS = {"age": "46-55", "income": "100-300k", "share": "20-50", "experience": "wealth", "years": "1-3",
            "loss": "lt5", "horizon": "6-12m", "default": "stop"}


def fresh_investor(cash_minor: int = 10_000_00):
    """A verified investor who has neither answered the questionnaire nor read the disclosure."""
    user = make_user(roles=("investor",), suitable=False)
    deposit(user, cash_minor)
    return user


def test_scoring_gives_levels_and_grade_ceilings():
    assert q.score(CAUTIOUS) == q.Scored(9, "cautious")
    assert q.allowed_letters("cautious") == ("A", "B")
    assert q.score(q.MOST_TOLERANT).level == "aggressive"
    assert q.allowed_letters("aggressive") == q.GRADE_LETTERS
    assert q.allows("conservative", "A5") and not q.allows("conservative", "B1")
    assert not q.allows("aggressive", "")  # an ungraded loan suits nobody


def test_no_tolerance_for_loss_is_conservative_whatever_else():
    answers = {**q.MOST_TOLERANT, "loss": "none"}
    assert q.score(answers).level == "conservative"


def test_assess_keeps_answers_and_expires_after_a_year():
    investor = fresh_investor()
    result = services.assess(investor, CAUTIOUS)
    assert (result.level, result.score, result.answers) == ("cautious", 9, CAUTIOUS)
    assert result.assessed_on == START and result.expires_on == START + timedelta(days=365)
    assert result.questionnaire_version == q.VERSION


def test_incomplete_or_unknown_answers_are_refused_with_every_problem():
    investor = fresh_investor()
    with pytest.raises(ApplicationError) as exc:
        services.assess(investor, {**CAUTIOUS, "age": "12", "loss": ""})
    assert exc.value.code == "invalid_answers"
    assert exc.value.extra["errors"] == {"age": "unknown_option", "loss": "missing"}
    assert not SuitabilityAssessment.objects.filter(investor=investor).exists()


def test_only_investors_take_the_questionnaire():
    with pytest.raises(ApplicationError) as exc:
        services.assess(make_staff("operator"), CAUTIOUS)
    assert exc.value.code == "forbidden_role"


def test_investing_without_questionnaire_is_refused(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert (exc.value.code, exc.value.status) == ("suitability_required", 403)
    assert exc.value.extra["questionnaire_url"] == "/investing/questionnaire"
    assert not Note.objects.filter(investor=investor).exists()


def test_grade_above_the_level_is_refused_with_the_reason(listed_loan):
    loan = listed_loan()
    assert loan.grade[0] > "A", loan.grade  # the test application is not top grade
    investor = fresh_investor()
    services.assess(investor, {**CAUTIOUS, "loss": "none"})  # conservative: grade A only
    services.acknowledge_disclosure(investor)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "grade_above_risk_level"
    assert loan.grade in exc.value.message and "Conservative" in exc.value.message and "A only" in exc.value.message
    assert not Note.objects.filter(investor=investor).exists()


def test_disclosure_must_be_acknowledged_before_the_first_investment(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    services.assess(investor, q.MOST_TOLERANT)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "disclosure_required"
    ack = services.acknowledge_disclosure(investor)
    assert services.acknowledge_disclosure(investor).pk == ack.pk  # once per version
    assert (ack.version, ack.business_date) == ("2026-1", START)
    note = lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert note.amount_minor == 100_00


def test_stale_disclosure_version_is_refused():
    with pytest.raises(ApplicationError) as exc:
        services.acknowledge_disclosure(fresh_investor(), version="1999-1")
    assert exc.value.code == "stale_disclosure"
    assert not DisclosureAcknowledgement.objects.exists()


def test_expired_assessment_is_refused_and_a_new_one_restores(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    services.assess(investor, q.MOST_TOLERANT, today=START - timedelta(days=365))
    services.acknowledge_disclosure(investor)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "suitability_expired"
    services.assess(investor, q.MOST_TOLERANT)
    assert lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00).amount_minor == 100_00


def test_assessment_valid_until_the_day_before_expiry(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    services.make_suitable(investor, today=START - timedelta(days=364))  # expires tomorrow
    assert lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)


def test_the_newest_answers_count(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    services.make_suitable(investor)
    services.assess(investor, {**CAUTIOUS, "loss": "none"})  # answered again, more cautiously
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "grade_above_risk_level"
    assert SuitabilityAssessment.objects.filter(investor=investor).count() == 2  # history kept
