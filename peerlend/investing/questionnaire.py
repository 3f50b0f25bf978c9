"""The investor risk questionnaire and its scoring (no database).

China's 2016 interim measures on online lending intermediaries (Art. 26) require a platform to
assess each lender's risk tolerance and to offer only loans that fit it. Eight questions (age,
income, the share of savings at stake, experience, loss tolerance, horizon, reaction to a
default) give 0-3 points each; the total picks one of five risk levels, and each level may buy
loans up to a credit grade letter (``peerlend.domain.pricing.GRADES``: A best .. E worst).

An investor who cannot accept any loss is conservative whatever the other answers: loans can
lose principal, so a high score elsewhere must not outweigh that one answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerlend.domain.pricing import GRADES

VERSION = "2026-1"
VALID_DAYS = 365
GRADE_LETTERS: tuple[str, ...] = tuple(dict.fromkeys(g[0] for g in GRADES))  # A..E


class RiskLevel(models.TextChoices):
    CONSERVATIVE = "conservative", _("Conservative")
    CAUTIOUS = "cautious", _("Moderately conservative")
    BALANCED = "balanced", _("Balanced")
    GROWTH = "growth", _("Growth")
    AGGRESSIVE = "aggressive", _("Aggressive")


# (level, lowest total score) in ascending order; the best grade letter each level may buy follows.
_THRESHOLDS: tuple[tuple[str, int], ...] = (
    (RiskLevel.CONSERVATIVE, 0), (RiskLevel.CAUTIOUS, 7), (RiskLevel.BALANCED, 12),
    (RiskLevel.GROWTH, 17), (RiskLevel.AGGRESSIVE, 21),
)
# Worst grade letter each level may buy: conservative A only, aggressive every grade.
MAX_LETTER: dict[str, str] = {level: GRADE_LETTERS[min(i, len(GRADE_LETTERS) - 1)]
                              for i, (level, _lo) in enumerate(_THRESHOLDS)}


@dataclass(frozen=True)
class Question:
    key: str
    text: Promise
    options: tuple[tuple[str, Promise, int], ...]  # (value, label, points)


QUESTIONS: tuple[Question, ...] = (
    Question("age", _("How old are you?"), (
        ("18-30", _("18 to 30"), 3), ("31-45", _("31 to 45"), 3), ("46-55", _("46 to 55"), 2),
        ("56-65", _("56 to 65"), 1), ("66+", _("66 or older"), 0))),
    Question("income", _("What is your annual income?"), (
        ("lt100k", _("Under 100,000 CNY"), 0), ("100-300k", _("100,000 to 300,000 CNY"), 1),
        ("300k-1m", _("300,000 to 1,000,000 CNY"), 2), ("gt1m", _("Over 1,000,000 CNY"), 3))),
    Question("share", _("What share of your savings would you lend on this platform?"), (
        ("gt50", _("More than half"), 0), ("20-50", _("20 % to 50 %"), 1), ("10-20", _("10 % to 20 %"), 2),
        ("lt10", _("Less than 10 %"), 3))),
    Question("experience", _("Which investments have you made before?"), (
        ("none", _("None besides bank deposits"), 0), ("wealth", _("Bank wealth-management products"), 1),
        ("funds", _("Bond or mixed funds"), 2), ("equity", _("Shares, equity funds or online lending"), 3))),
    Question("years", _("For how many years have you invested?"), (
        ("lt1", _("Less than a year"), 0), ("1-3", _("1 to 3 years"), 1), ("3-5", _("3 to 5 years"), 2),
        ("gt5", _("More than 5 years"), 3))),
    Question("loss", _("How large a loss of principal in a year could you bear?"), (
        ("none", _("None: I cannot lose principal"), 0), ("lt5", _("Up to 5 %"), 1),
        ("5-15", _("5 % to 15 %"), 2), ("gt15", _("More than 15 %"), 3))),
    Question("horizon", _("How long can you leave the money invested?"), (
        ("lt6m", _("Less than 6 months"), 0), ("6-12m", _("6 to 12 months"), 1), ("1-3y", _("1 to 3 years"), 2),
        ("gt3y", _("More than 3 years"), 3))),
    Question("default", _("A borrower of yours stops paying. What do you do?"), (
        ("exit", _("Withdraw everything I can"), 0), ("stop", _("Stop investing"), 1),
        ("keep", _("Keep investing as before"), 2), ("more", _("Invest more in higher-rate loans"), 3))),
)
MAX_SCORE = sum(max(points for _v, _l, points in q.options) for q in QUESTIONS)
# The answers that put an investor in the top level: used by the simulator and the test builders.
MOST_TOLERANT: dict[str, str] = {q.key: max(q.options, key=lambda o: o[2])[0] for q in QUESTIONS}


@dataclass(frozen=True)
class Scored:
    score: int
    level: str


def invalid_answers(answers: dict[str, str]) -> dict[str, str]:
    """Question key -> problem, for every question unanswered or answered with an unknown option."""
    problems: dict[str, str] = {}
    for q in QUESTIONS:
        value = answers.get(q.key)
        if not value:
            problems[q.key] = "missing"
        elif value not in {v for v, _l, _p in q.options}:
            problems[q.key] = "unknown_option"
    return problems


def score(answers: dict[str, str]) -> Scored:
    """Total points and risk level of complete, valid answers (check with ``invalid_answers`` first)."""
    total = 0
    for q in QUESTIONS:
        total += next(points for value, _l, points in q.options if value == answers[q.key])
    level = RiskLevel.CONSERVATIVE.value
    for candidate, lowest in _THRESHOLDS:
        if total >= lowest:
            level = str(candidate)
    if answers["loss"] == "none":
        level = RiskLevel.CONSERVATIVE.value
    return Scored(total, level)


def allows(level: str, grade: str) -> bool:
    """Whether an investor of ``level`` may buy a loan of ``grade`` (a letter or a sub-grade such as C3)."""
    letter = (grade or "")[:1].upper()
    if letter not in GRADE_LETTERS:
        return False
    return GRADE_LETTERS.index(letter) <= GRADE_LETTERS.index(MAX_LETTER[level])


def allowed_letters(level: str) -> tuple[str, ...]:
    return GRADE_LETTERS[: GRADE_LETTERS.index(MAX_LETTER[level]) + 1]


def level_label(level: str) -> str:
    return str(RiskLevel(level).label)
