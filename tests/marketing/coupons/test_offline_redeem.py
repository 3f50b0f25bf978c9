"""An agent redeems a service voucher or a fee discount at their point by typing the code."""

from __future__ import annotations

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.marketing.coupons.redemption import redeem_offline
from tests.factories import make_agent, make_user

pytestmark = pytest.mark.django_db


def test_an_agent_redeems_a_service_voucher(give) -> None:
    agent = make_agent()
    coupon = give(make_user(), kind="service_voucher", channel="offline")
    redeem_offline(agent, f" {coupon.code[:4]}-{coupon.code[4:]} ")
    coupon.refresh_from_db()
    assert (coupon.status, coupon.redeemed_channel, coupon.redeemed_by_id) == ("redeemed", "offline", agent.pk)
    assert coupon.service_point_id == agent.agent_memberships.get().service_point_id
    assert AuditEvent.objects.filter(action="marketing.coupon_redeemed_offline").count() == 1
    with pytest.raises(ApplicationError) as exc:
        redeem_offline(agent, coupon.code)
    assert exc.value.code == "coupon_used"


def test_an_online_only_coupon_is_refused_at_the_point(give) -> None:
    coupon = give(make_user(), kind="service_voucher", channel="online")
    with pytest.raises(ApplicationError) as exc:
        redeem_offline(make_agent(), coupon.code)
    assert exc.value.code == "coupon_online_only"


def test_only_agents_redeem_offline(give) -> None:
    coupon = give(make_user(), kind="service_voucher", channel="offline")
    with pytest.raises(ApplicationError) as exc:
        redeem_offline(make_user(), coupon.code)
    assert exc.value.status == 403


def test_an_agent_applies_a_fee_discount_to_the_members_loan(listed_loan, borrower, give) -> None:
    loan = listed_loan(amount_minor=2_000_00)
    coupon = give(borrower, kind="fee_discount", channel="offline", value_minor=10_00)
    with pytest.raises(ApplicationError) as exc:
        redeem_offline(make_agent(), coupon.code)
    assert exc.value.code == "loan_required"
    redeem_offline(make_agent(), coupon.code, loan_id=loan.pk)
    coupon.refresh_from_db()
    assert coupon.loan_id == loan.pk
