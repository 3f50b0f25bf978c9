"""An agent hands one of their members a member-service coupon: never an investment coupon, once per template."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from peerlend.accounts.models import User
from peerlend.errors import ApplicationError, NotFound
from peerlend.marketing.coupons.templates import TemplateInput, create_template
from peerlend.marketing.models_coupons import Coupon, CouponTemplate
from peerlend.marketing.staff import members
from tests.marketing.staff.conftest import MONTH, TODAY, agent_at, point, registered

pytestmark = pytest.mark.django_db


def template(operator: User, kind: str, channel: str) -> CouponTemplate:
    return create_template(operator, TemplateInput(name=f"t {kind}", kind=kind, channel=channel, value_minor=20_00,
                                                   valid_from=TODAY, valid_until=TODAY + dt.timedelta(days=30)))


@pytest.fixture
def setup(operator: User) -> tuple[User, User, CouponTemplate, CouponTemplate]:
    p = point()
    agent = agent_at(p)
    member = registered(agent, p, on=MONTH)
    return (agent, member, template(operator, "service_voucher", "offline"),
            template(operator, "cash_voucher", "online"))


def test_offerable_templates_exclude_investment_and_online_only(setup: tuple) -> None:
    _agent, _member, service, _cash = setup
    assert members.offerable_templates() == [service]


def test_send_once_per_template(setup: tuple) -> None:
    agent, member, service, _cash = setup
    coupon, new = members.send_coupon(agent=agent, member_id=member.pk, template_id=service.pk)
    assert new and (coupon.user_id, coupon.source) == (member.pk, "agent")
    again, new_again = members.send_coupon(agent=agent, member_id=member.pk, template_id=service.pk)
    assert again.pk == coupon.pk and not new_again
    assert Coupon.objects.filter(user=member).count() == 1


def test_never_an_investment_coupon_and_only_to_my_members(setup: tuple) -> None:
    agent, member, service, cash = setup
    with pytest.raises(ApplicationError) as err:
        members.send_coupon(agent=agent, member_id=member.pk, template_id=cash.pk)
    assert err.value.code == "coupon_not_offerable"
    other = agent_at(point())
    with pytest.raises(NotFound):
        members.send_coupon(agent=other, member_id=member.pk, template_id=service.pk)
    assert not Coupon.objects.exists()


def test_page_button(setup: tuple) -> None:
    agent, member, service, _cash = setup
    c = Client()
    c.force_login(agent)
    assert "Send a coupon" in c.get(f"/agent/my-members/{member.pk}/").content.decode()
    assert c.post(f"/agent/my-members/{member.pk}/coupon", {"template": str(service.pk)}).status_code == 302
    assert Coupon.objects.filter(user=member, template=service).count() == 1
