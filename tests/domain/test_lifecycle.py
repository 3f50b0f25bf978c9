import pytest

from peerlend.domain.lifecycle import (
    CANCELLABLE,
    LATE_BUCKETS,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    LoanStatus,
    can_transition,
    check_transition,
    is_terminal,
    late_bucket,
)

S = LoanStatus

ALLOWED = {
    ("draft", "submitted"),
    ("draft", "cancelled"),
    ("submitted", "under_review"),
    ("submitted", "rejected"),
    ("submitted", "cancelled"),
    ("under_review", "approved"),
    ("under_review", "rejected"),
    ("under_review", "documents_requested"),
    ("under_review", "cancelled"),
    ("documents_requested", "under_review"),
    ("documents_requested", "cancelled"),
    ("approved", "listed"),
    ("approved", "cancelled"),
    ("listed", "funded"),
    ("listed", "expired"),
    ("listed", "cancelled"),
    ("funded", "current"),
    ("current", "late"),
    ("current", "fully_paid"),
    ("current", "prepaid"),
    ("late", "current"),
    ("late", "defaulted"),
    ("late", "fully_paid"),
    ("late", "prepaid"),
    ("defaulted", "charged_off"),
    ("defaulted", "fully_paid"),
    ("defaulted", "prepaid"),
}


def test_status_values():
    assert S.CURRENT == "current"
    assert S.DOCUMENTS_REQUESTED.value == "documents_requested"
    assert len(S) == 16
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_pair(current, target):
    allowed = (current.value, target.value) in ALLOWED
    assert can_transition(current, target) is allowed
    if allowed:
        assert check_transition(current, target) is target
        assert check_transition(current.value, target.value) is target
    else:
        with pytest.raises(IllegalTransition, match=f"cannot move a loan from {current.value} to {target.value}"):
            check_transition(current, target)


def test_illegal_transition_is_value_error_with_details():
    with pytest.raises(ValueError) as info:
        check_transition("funded", "cancelled")
    assert isinstance(info.value, IllegalTransition)
    assert (info.value.current, info.value.target) == (S.FUNDED, S.CANCELLED)
    assert str(info.value) == "cannot move a loan from funded to cancelled"


def test_unknown_status():
    with pytest.raises(ValueError, match="unknown loan status 'paid'"):
        check_transition("current", "paid")
    with pytest.raises(ValueError, match="unknown loan status"):
        check_transition("Current", "late")


def test_terminal_and_cancellable():
    assert {S.REJECTED, S.EXPIRED, S.CANCELLED, S.CHARGED_OFF, S.FULLY_PAID, S.PREPAID} == TERMINAL
    assert is_terminal("prepaid") and not is_terminal(S.LATE)
    assert {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.DOCUMENTS_REQUESTED, S.APPROVED, S.LISTED} == CANCELLABLE
    for status in S:
        assert (S.CANCELLED in TRANSITIONS[status]) is (status in CANCELLABLE)


def test_transitions_are_immutable():
    with pytest.raises(TypeError):
        TRANSITIONS[S.DRAFT] = frozenset()  # type: ignore[index]


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "current"), (1, "1-15"), (15, "1-15"), (16, "16-30"), (30, "16-30"), (31, "31-90"), (90, "31-90"),
     (91, "90+"), (4000, "90+")],
)
def test_late_bucket(days, bucket):
    assert late_bucket(days) == bucket
    assert bucket in LATE_BUCKETS


def test_late_bucket_invalid():
    with pytest.raises(ValueError):
        late_bucket(-1)
    with pytest.raises(ValueError):
        late_bucket(1.5)  # type: ignore[arg-type]
