"""Money limits per member type, per transaction and per business day (pure rules)."""

from __future__ import annotations

import pytest

from peerlend.domain.limits import (
    ACTIONS,
    DEFAULT_LIMITS,
    MEMBER_TYPES,
    Limit,
    check_limit,
    limits_from_env,
    parse_limits,
)
from peerlend.domain.money import MAX_AMOUNT_MINOR


def test_defaults_cover_every_member_type_and_action():
    table = parse_limits(DEFAULT_LIMITS)
    for member in MEMBER_TYPES:
        for action in ACTIONS:
            limit = table[member][action]
            assert 0 < limit.per_transaction_minor <= MAX_AMOUNT_MINOR
    assert table["person"]["deposit"] == Limit(1_000_000_00, 5_000_000_00)
    assert table["company"]["deposit"].per_transaction_minor > table["person"]["deposit"].per_transaction_minor


def test_within_limits_passes():
    limit = Limit(1_000_00, 3_000_00)
    assert check_limit(limit, 1_000_00, used_today_minor=2_000_00) is None
    assert check_limit(Limit(1_000_00, None), 1_000_00, used_today_minor=10**12) is None


def test_per_transaction_breach_states_the_figures():
    breach = check_limit(Limit(1_000_00, 3_000_00), 1_000_01, used_today_minor=0)
    assert breach is not None
    assert (breach.period, breach.limit_minor, breach.requested_minor) == ("transaction", 1_000_00, 1_000_01)


def test_per_day_breach_states_used_and_remaining():
    breach = check_limit(Limit(1_000_00, 3_000_00), 1_000_00, used_today_minor=2_500_00)
    assert breach is not None
    assert breach.period == "day"
    assert (breach.limit_minor, breach.used_minor, breach.remaining_minor) == (3_000_00, 2_500_00, 500_00)
    # Used beyond the limit (a limit lowered during the day): nothing remains, never a negative figure.
    breach = check_limit(Limit(1_000_00, 3_000_00), 1, used_today_minor=4_000_00)
    assert breach is not None and breach.remaining_minor == 0


def test_headroom_is_the_smaller_of_both():
    assert Limit(1_000_00, 3_000_00).allowed_now(2_500_00) == 500_00
    assert Limit(1_000_00, 3_000_00).allowed_now(0) == 1_000_00
    assert Limit(1_000_00, None).allowed_now(10**12) == 1_000_00
    assert Limit(1_000_00, 3_000_00).remaining_today(2_500_00) == 500_00
    assert Limit(1_000_00, None).remaining_today(5) is None


def test_env_overrides_one_figure_and_keeps_the_rest():
    table = limits_from_env({"PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR": "500000",
                             "PEERLEND_LIMIT_COMPANY_WITHDRAWAL_DAY_MINOR": "none"})
    parsed = parse_limits(table)
    assert parsed["person"]["deposit"] == Limit(5_000_00, 5_000_000_00)
    assert parsed["company"]["withdrawal"].per_day_minor is None
    assert parsed["person"]["withdrawal"] == parse_limits(DEFAULT_LIMITS)["person"]["withdrawal"]


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR": "abc"}, "PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR"),
        ({"PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR": "0"}, "positive"),
        ({"PEERLEND_LIMIT_PERSON_DEPOSIT_TX_MINOR": str(MAX_AMOUNT_MINOR + 1)}, "at most"),
    ],
)
def test_bad_configuration_is_refused_at_start(environ, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_limits(limits_from_env(environ))


def test_unknown_member_type_or_action_is_refused():
    with pytest.raises(ValueError, match="member type"):
        parse_limits({**DEFAULT_LIMITS, "robot": DEFAULT_LIMITS["person"]})
    with pytest.raises(ValueError, match="missing"):
        parse_limits({"person": {}, "company": DEFAULT_LIMITS["company"]})
