"""The tier's origination-fee discount at disbursement: gold pays 10 % less fee to the cent, bronze pays it all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.domain.fee_discount import discount_minor
from peerlend.ledger import services as ledger
from peerlend.lending import fee_discounts
from peerlend.lending import services as lending
from peerlend.lending.disbursement import charged_origination_fee_minor, origination_fee_minor
from peerlend.lending.models import Contract, Loan, Note
from peerlend.marketing.members.fee_privilege import tier_fee_discount
from peerlend.marketing.members.points import award_points
from peerlend.marketing.models_members import PointsReason
from tests.servicing.conftest import (  # noqa: F401  (fixtures)
    assert_audit_clean,
    available,
    borrower,
    business_day,
    investor_factory,
    listed_loan,
    officer,
)

pytestmark = pytest.mark.django_db

AMOUNT = 20_100_00
# 5.05 % of 20,100.00 is a 1,015.05 fee; gold's 10 % off is 101.505, rounded half-up to 101.51.
FULL_FEE, GOLD_OFF = 1_015_05, 101_51


def _gold(user: User) -> None:
    award_points(user, 5_000, reason=PointsReason.CAMPAIGN_TASK, reference="t", idempotency_key="gold")


def _loan(listed_loan: Callable[..., Loan]) -> Loan:  # noqa: F811
    loan = listed_loan(amount_minor=AMOUNT, term_months=12)
    Loan.objects.filter(pk=loan.pk).update(origination_fee_rate="0.0505")  # a crafted fee, set before funding
    loan.refresh_from_db()
    assert origination_fee_minor(loan) == FULL_FEE
    return loan


def _fund(loan: Loan, investor_factory: Callable[..., User], shares: tuple[int, ...]) -> list[Note]:  # noqa: F811
    for share in shares:
        lending.invest(investor=investor_factory(cash_minor=share), loan_id=loan.pk, amount_minor=share)
    loan.refresh_from_db()
    assert loan.status == "current"
    return list(Note.objects.filter(loan=loan).order_by("pk"))


def _fee_taken() -> int:
    """What the platform kept of fees: fee income plus the reserve's share of it."""
    return (ledger.platform_account("fee_income").balance_minor
            + ledger.platform_account("risk_reserve").balance_minor)


def test_discount_is_half_up_and_never_more_than_the_fee() -> None:
    assert discount_minor(FULL_FEE, 1000) == GOLD_OFF
    assert discount_minor(1_015_04, 1000) == 101_50  # 101.504 rounds down
    assert discount_minor(5, 10_000) == 5 and discount_minor(0, 1000) == 0
    with pytest.raises(ValueError):
        discount_minor(100, 10_001)


def test_gold_borrower_pays_the_discounted_fee(listed_loan, investor_factory, borrower) -> None:  # noqa: F811
    _gold(borrower)
    loan = _loan(listed_loan)
    notes = _fund(loan, investor_factory, (AMOUNT // 3, AMOUNT // 3, AMOUNT - 2 * (AMOUNT // 3)))
    fee = FULL_FEE - GOLD_OFF
    assert available(borrower) == AMOUNT - fee
    assert _fee_taken() == fee == charged_origination_fee_minor(loan)
    assert -ledger.platform_account("marketing_expense").balance_minor == 0  # foregone income, not an expense
    terms = Contract.objects.get(loan=loan).terms
    assert terms["origination_fee"] == "913.54"
    assert terms["origination_fee_discount"] == {"full_fee_minor": FULL_FEE, "discount_minor": GOLD_OFF,
                                                 "discount_bp": 1000, "source": "member_tier", "detail": "gold"}
    # Funding is untouched: each note holds exactly what its investor put in, and they sum to the loan.
    assert [n.amount_minor for n in notes] == [AMOUNT // 3, AMOUNT // 3, AMOUNT - 2 * (AMOUNT // 3)]
    assert sum(n.principal_outstanding_minor for n in Note.objects.filter(loan=loan)) == AMOUNT
    assert_audit_clean()


def test_bronze_borrower_pays_the_full_fee(listed_loan, investor_factory, borrower) -> None:  # noqa: F811
    loan = _loan(listed_loan)
    _fund(loan, investor_factory, (AMOUNT,))
    assert available(borrower) == AMOUNT - FULL_FEE
    assert _fee_taken() == FULL_FEE == charged_origination_fee_minor(loan)
    assert "origination_fee_discount" not in Contract.objects.get(loan=loan).terms
    assert_audit_clean()


def test_the_tier_is_asked_only_at_disbursement_never_by_funding(listed_loan, investor_factory, borrower,  # noqa: F811
                                                                 monkeypatch: Any) -> None:
    calls: list[int] = []

    def counting(loan: Any, full: int) -> Any:
        calls.append(loan.pk)
        return tier_fee_discount(loan, full)

    monkeypatch.setattr(fee_discounts, "_PROVIDER", counting)
    _gold(borrower)
    loan = _loan(listed_loan)
    lending.invest(investor=investor_factory(cash_minor=AMOUNT // 2), loan_id=loan.pk, amount_minor=AMOUNT // 2)
    assert calls == []
    _fund(loan, investor_factory, (AMOUNT - AMOUNT // 2,))
    assert calls == [loan.pk]


def test_the_borrower_sees_the_discount_on_the_loan_page(listed_loan, investor_factory, borrower, client) -> None:  # noqa: F811
    _gold(borrower)
    loan = _loan(listed_loan)
    _fund(loan, investor_factory, (AMOUNT,))
    client.force_login(borrower)
    page = client.get(f"/loans/{loan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "as a Gold member you paid an origination fee of 913.54 CNY instead of 1,015.05 CNY" in page
    assert "10% tier discount: 101.51 CNY off" in page
    investor = Note.objects.filter(loan=loan).first().investor
    client.force_login(investor)
    assert "fee-discount" not in client.get(f"/loans/{loan.pk}/").content.decode()


def test_a_fee_coupon_pays_back_at_most_the_discounted_fee(listed_loan, investor_factory, borrower) -> None:  # noqa: F811
    from datetime import timedelta

    from peerlend.accounts.models import Role
    from peerlend.clock import business_date
    from peerlend.marketing.coupons.issuing import issue_coupon
    from peerlend.marketing.coupons.redemption import apply_fee_discount
    from peerlend.marketing.coupons.templates import TemplateInput, create_template
    from tests.factories import make_staff

    _gold(borrower)
    loan = _loan(listed_loan)
    today = business_date()
    template = create_template(make_staff(Role.OPERATOR), TemplateInput(
        name="Fee back", kind="fee_discount", channel="both", value_minor=2_000_00,
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30)))
    coupon = issue_coupon(template, borrower, source="operator", idempotency_key="fee-back")
    apply_fee_discount(borrower, coupon.code, loan.pk)
    _fund(loan, investor_factory, (AMOUNT,))
    charged = FULL_FEE - GOLD_OFF
    assert -ledger.platform_account("marketing_expense").balance_minor == charged  # not the full fee
    assert available(borrower) == AMOUNT  # the fee taken, all of it paid back by the coupon
    assert_audit_clean()
