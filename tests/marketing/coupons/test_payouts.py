"""Fee discounts paid back at disbursement, rate boosts on repayments, and the books agreeing with the coupons."""

from __future__ import annotations

import pytest

from peerlend.errors import ApplicationError
from peerlend.lending import services as lending
from peerlend.marketing.coupons.payouts import boost_minor
from peerlend.marketing.coupons.redemption import apply_fee_discount
from peerlend.marketing.models_coupons import Coupon, CouponPayout
from peerlend.servicing import services as sv
from tests.marketing.coupons.conftest import assert_audit_clean, deposit, marketing_expense, payouts_total
from tests.servicing.conftest import available, schedule

pytestmark = pytest.mark.django_db


def _fund(loan, investor_factory, *, coupon=None, first=None) -> None:
    first = first or investor_factory(loan.amount_minor // 2)
    lending.invest(investor=first, loan_id=loan.pk, amount_minor=loan.amount_minor // 2,
                   coupon_code=coupon.code if coupon else None)
    rest = loan.amount_minor - loan.amount_minor // 2
    lending.invest(investor=investor_factory(rest), loan_id=loan.pk, amount_minor=rest)
    loan.refresh_from_db()
    assert loan.status == "current"


def test_a_fee_discount_is_paid_back_to_the_borrower(listed_loan, investor_factory, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    coupon = give(borrower, kind="fee_discount", value_minor=15_00)
    apply_fee_discount(borrower, coupon.code, loan.pk)
    _fund(loan, investor_factory)
    from peerlend.lending.disbursement import origination_fee_minor

    fee = origination_fee_minor(loan)
    assert fee >= 15_00
    assert available(borrower) == loan.amount_minor - fee + 15_00
    assert marketing_expense() == 15_00
    assert CouponPayout.objects.get().entry.kind == "coupon_fee_discount"
    assert_audit_clean()


def test_a_fee_discount_only_on_the_owners_open_loan(listed_loan, investor_factory, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    coupon = give(borrower, kind="fee_discount", value_minor=15_00)
    stranger = investor_factory(0)
    with pytest.raises(ApplicationError):
        apply_fee_discount(stranger, coupon.code, loan.pk)
    _fund(loan, investor_factory)
    with pytest.raises(ApplicationError) as exc:
        apply_fee_discount(borrower, coupon.code, loan.pk)
    assert exc.value.code == "loan_fee_taken"


def test_boost_arithmetic_is_half_up_and_proportional() -> None:
    from decimal import Decimal

    assert boost_minor(1000, Decimal("0.02"), Decimal("0.10")) == 200
    assert boost_minor(1001, Decimal("0.02"), Decimal("0.08")) == 250  # 250.25
    assert boost_minor(1002, Decimal("0.02"), Decimal("0.08")) == 251  # 250.5 rounds up
    assert boost_minor(0, Decimal("0.02"), Decimal("0.08")) == 0


def test_a_rate_boost_pays_extra_interest_for_its_months(listed_loan, investor_factory, give) -> None:
    loan = listed_loan(amount_minor=2_400_00, term_months=12)
    investor = investor_factory(1_200_00)
    coupon = give(investor, kind="rate_boost", boost_months=2)
    _fund(loan, investor_factory, coupon=coupon, first=investor)
    loan.refresh_from_db()
    before = available(investor)
    paid: list[int] = []
    for installment in schedule(loan)[:3]:
        deposit(loan.borrower, installment.principal_minor + installment.interest_minor)
        sv.repay(actor=loan.borrower, loan_id=loan.pk,
                 amount_minor=installment.principal_minor + installment.interest_minor, today=installment.due_date)
        paid.append(payouts_total())
    coupon.refresh_from_db()
    assert coupon.boost_payouts == 2
    assert paid[0] > 0 and paid[1] > paid[0] and paid[2] == paid[1]  # two months, then no more
    assert coupon.paid_minor == paid[-1] == marketing_expense()
    assert available(investor) > before
    assert set(CouponPayout.objects.values_list("entry__kind", flat=True)) == {"coupon_rate_boost"}
    assert_audit_clean()


def test_marketing_expense_equals_the_sum_of_coupon_costs(listed_loan, investor_factory, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    fee_coupon = give(borrower, kind="fee_discount", value_minor=10_00)
    apply_fee_discount(borrower, fee_coupon.code, loan.pk)
    investor = investor_factory(1_000_00)
    voucher = give(investor, value_minor=30_00)
    _fund(loan, investor_factory, coupon=voucher, first=investor)
    costs = sum(Coupon.objects.values_list("paid_minor", flat=True))
    assert costs == 40_00
    assert marketing_expense() == costs == payouts_total()
    assert_audit_clean()
