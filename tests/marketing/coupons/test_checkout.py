"""Online checkout: an investment coupon is tied to the note; a cash voucher is paid at disbursement."""

from __future__ import annotations

import pytest

from peerlend.errors import ApplicationError
from peerlend.lending import services as lending
from peerlend.lending.models import Note
from peerlend.marketing.models_coupons import CouponPayout
from tests.lending.conftest import balances
from tests.marketing.coupons.conftest import assert_audit_clean, marketing_expense

pytestmark = pytest.mark.django_db


def test_a_cash_voucher_is_tied_to_the_note(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor, value_minor=20_00)
    note = lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code.lower())
    coupon.refresh_from_db()
    assert (coupon.status, coupon.note_id, coupon.redeemed_channel) == ("redeemed", note.pk, "online")
    assert coupon.paid_minor == 0  # paid when the loan is disbursed, not before
    assert marketing_expense() == 0


def test_the_voucher_is_paid_into_available_cash_at_disbursement(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor, other = investor_factory(1_000_00), investor_factory(1_000_00)
    coupon = give(investor, value_minor=20_00)
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    lending.invest(investor=other, loan_id=loan.pk, amount_minor=1_000_00)
    loan.refresh_from_db()
    assert loan.status == "current"
    assert balances(investor) == (20_00, 0)
    assert balances(other) == (0, 0)
    coupon.refresh_from_db()
    assert coupon.paid_minor == 20_00
    assert marketing_expense() == 20_00
    payout = CouponPayout.objects.get()
    assert (payout.amount_minor, payout.entry.kind) == (20_00, "coupon_cash_voucher")
    assert_audit_clean()


def test_a_refused_coupon_places_no_note(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor, value_minor=20_00, min_amount_minor=5_000_00)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert exc.value.code == "coupon_not_applicable"
    assert not Note.objects.exists()
    assert balances(investor) == (1_000_00, 0)
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_a_coupon_is_used_once(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=5_000_00)
    investor = investor_factory(2_000_00)
    coupon = give(investor)
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert exc.value.code == "coupon_used"
    assert Note.objects.count() == 1


def test_another_members_coupon_is_unknown(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor_factory(0))
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert exc.value.code == "coupon_not_found"


def test_a_service_voucher_is_not_an_investment_coupon(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor, kind="service_voucher", channel="both")
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert exc.value.code == "coupon_wrong_kind"


@pytest.mark.parametrize(("field", "value"), [("eligible_grades", ["E"]), ("eligible_terms", [36]),
                                              ("eligible_methods", ["bullet"])])
def test_conditions_on_the_loan_are_checked(listed_loan, investor_factory, give, field, value) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    loan.refresh_from_db()
    if field == "eligible_grades" and loan.grade.startswith("E"):
        value = ["A"]
    investor = investor_factory(1_000_00)
    coupon = give(investor, **{field: value})
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert exc.value.code == "coupon_not_applicable"


def test_the_idempotent_replay_with_a_coupon_returns_the_same_note(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=5_000_00)
    investor = investor_factory(2_000_00)
    coupon = give(investor)
    first = lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code,
                           idempotency_key="k-1")
    again = lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code,
                           idempotency_key="k-1")
    assert first.pk == again.pk
    assert Note.objects.count() == 1


def test_a_coupon_on_a_refunded_note_is_given_back(listed_loan, investor_factory, give) -> None:
    from peerlend.marketing.coupons.reinstate import reinstate_unused
    from tests.marketing.coupons.conftest import START

    loan = listed_loan(amount_minor=2_000_00)
    investor = investor_factory(1_000_00)
    coupon = give(investor)
    note = lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00, coupon_code=coupon.code)
    assert reinstate_unused(START) == 0  # the note still funds: nothing to give back
    Note.objects.filter(pk=note.pk).update(status="refunded")  # as an expired listing's refund leaves it
    assert reinstate_unused(START) == 1
    coupon.refresh_from_db()
    assert (coupon.status, coupon.note_id, coupon.redeemed_on) == ("issued", None, None)
    assert reinstate_unused(START) == 0
