"""The O2O rule (2016 measures Art. 10(4)/16): the offline channel never issues or takes an investment coupon."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from peerlend.errors import ApplicationError
from peerlend.marketing.coupons.issuing import issue_coupon
from peerlend.marketing.coupons.redemption import redeem_offline
from peerlend.marketing.models_coupons import Coupon, CouponTemplate
from tests.factories import make_agent, make_user
from tests.marketing.coupons.conftest import START, template_input

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["cash_voucher", "rate_boost"])
def test_an_offline_template_of_an_investment_kind_is_refused(make_template, kind) -> None:
    with pytest.raises(ApplicationError) as exc:
        make_template(kind=kind, channel="offline")
    assert exc.value.code == "offline_investment_coupon"
    assert not CouponTemplate.objects.exists()


@pytest.mark.parametrize("kind", ["fee_discount", "service_voucher"])
def test_an_offline_template_for_members_and_borrowers_is_allowed(make_template, kind) -> None:
    assert make_template(kind=kind, channel="offline").channel == "offline"


def test_the_database_refuses_an_offline_investment_template(operator) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponTemplate.objects.create(name="x", kind="cash_voucher", channel="offline", value_minor=10_00,
                                      valid_from=START, valid_until=START, created_by=operator)


def test_the_database_refuses_an_offline_investment_coupon(make_template) -> None:
    template = make_template(kind="cash_voucher", channel="both")
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(template=template, user=user, code="ABCDEFGH2345", kind="cash_voucher",
                              channel="offline", source="operator", issue_key="k", issued_on=START,
                              expires_on=START)


def test_the_database_refuses_an_investment_coupon_redeemed_offline(give) -> None:
    coupon = give(make_user(), kind="cash_voucher", channel="both")
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon.pk).update(status="redeemed", redeemed_on=START, redeemed_channel="offline")


@pytest.mark.parametrize("kind", ["cash_voucher", "rate_boost"])
def test_an_agent_never_issues_an_investment_coupon(make_template, kind) -> None:
    template = make_template(kind=kind, channel="both")
    with pytest.raises(ApplicationError) as exc:
        issue_coupon(template, make_user(), source="agent", idempotency_key="agent-1")
    assert exc.value.code == "offline_investment_coupon"
    assert not Coupon.objects.exists()


def test_an_agent_may_issue_a_service_voucher(make_template) -> None:
    template = make_template(kind="service_voucher", channel="offline")
    assert issue_coupon(template, make_user(), source="agent", idempotency_key="agent-1").kind == "service_voucher"


@pytest.mark.parametrize("kind", ["cash_voucher", "rate_boost"])
def test_an_agent_cannot_redeem_an_investment_coupon(give, kind) -> None:
    coupon = give(make_user(), kind=kind, channel="both")
    with pytest.raises(ApplicationError) as exc:
        redeem_offline(make_agent(), coupon.code)
    assert exc.value.code == "offline_investment_coupon"
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_a_template_input_outside_the_rule_never_reaches_the_database_through_the_form_values() -> None:
    data = template_input(kind="cash_voucher", channel="offline")
    from peerlend.marketing.coupons.templates import validate_template

    with pytest.raises(ApplicationError):
        validate_template(data)
