"""Issuing coupons: idempotent per (member, key), by an operator with an audit row, templates validated."""

from __future__ import annotations

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.marketing.coupons.issuing import issue_by_operator, issue_coupon
from peerlend.marketing.coupons.templates import set_template_active
from peerlend.marketing.models_coupons import Coupon
from tests.factories import make_user
from tests.marketing.coupons.conftest import template_input

pytestmark = pytest.mark.django_db


def test_the_same_key_gives_the_same_coupon(make_template) -> None:
    template, user = make_template(), make_user()
    first = issue_coupon(template, user, source="campaign", idempotency_key="c1:u")
    again = issue_coupon(template, user, source="campaign", idempotency_key="c1:u")
    assert first.pk == again.pk
    assert Coupon.objects.count() == 1
    assert len(first.code) == 12


def test_the_same_key_for_another_template_is_refused(make_template) -> None:
    user = make_template and make_user()
    issue_coupon(make_template(), user, source="campaign", idempotency_key="c1:u")
    with pytest.raises(ApplicationError) as exc:
        issue_coupon(make_template(), user, source="campaign", idempotency_key="c1:u")
    assert exc.value.status == 422


def test_a_switched_off_template_issues_nothing(make_template, operator) -> None:
    template = make_template()
    set_template_active(operator, template.pk, False, reason="ended")
    template.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        issue_coupon(template, make_user(), source="operator", idempotency_key="x")
    assert exc.value.code == "coupon_template_closed"


def test_an_operator_issues_with_an_audit_row(make_template, operator) -> None:
    template, user = make_template(), make_user()
    coupon = issue_by_operator(operator, template_id=template.pk, user_id=user.pk, reason="apology",
                               idempotency_key="op-1")
    issue_by_operator(operator, template_id=template.pk, user_id=user.pk, reason="apology", idempotency_key="op-1")
    assert Coupon.objects.get().pk == coupon.pk
    assert AuditEvent.objects.filter(action="marketing.coupon_issued").count() == 1
    assert AuditEvent.objects.filter(action="marketing.coupon_template_created").count() == 1


def test_a_member_cannot_issue(make_template) -> None:
    member = make_user()
    with pytest.raises(ApplicationError) as exc:
        issue_by_operator(member, template_id=make_template().pk, user_id=member.pk, reason="me",
                          idempotency_key="k")
    assert exc.value.status == 403


@pytest.mark.parametrize(("overrides", "field"), [
    ({"value_minor": 0}, "value"), ({"value_minor": 10_000_01}, "value"), ({"name": ""}, "name"),
    ({"kind": "rate_boost", "boost_months": 37}, "boost_months"), ({"eligible_grades": ["Z"]}, "eligible_grades"),
    ({"min_amount_minor": -1}, "min_amount"), ({"eligible_terms": [0]}, "eligible_terms"),
])
def test_template_values_have_ranges(make_template, overrides, field) -> None:
    with pytest.raises(ApplicationError) as exc:
        make_template(**overrides)
    assert exc.value.extra["field"] == field
    assert template_input  # the builder the fixture uses
