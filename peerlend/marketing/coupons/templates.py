"""The operator's coupon templates: define one (validated, audited) and switch one off."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.compliance.services import record_audit
from peerlend.domain.money import format_minor
from peerlend.domain.pricing import GRADES
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending.models import RepaymentMethod
from peerlend.marketing.coupons.rules import check_channel_rule
from peerlend.marketing.models_coupons import (
    MAX_BOOST_MONTHS,
    MAX_BOOST_RATE,
    MAX_COUPON_VALUE_MINOR,
    MAX_MIN_AMOUNT_MINOR,
    MAX_POINTS_COST,
    CouponChannel,
    CouponKind,
    CouponTemplate,
)

STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)
# Grade letters (A1..E5 share a letter): a coupon names letters, a loan matches by its first one.
GRADE_LETTERS: tuple[str, ...] = tuple(dict.fromkeys(g[0] for g in GRADES))
MAX_NAME = 120
MAX_VALIDITY_DAYS = 366 * 2


@dataclass(frozen=True)
class TemplateInput:
    name: str
    kind: str
    channel: str
    valid_from: date
    valid_until: date
    value_minor: int = 0
    boost_rate: Decimal = Decimal(0)
    boost_months: int = 0
    min_amount_minor: int = 0
    eligible_grades: list[str] = field(default_factory=list)
    eligible_terms: list[int] = field(default_factory=list)
    eligible_methods: list[str] = field(default_factory=list)
    points_cost: int = 0


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_coupon_template", extra={"field": field_name})


def validate_template(data: TemplateInput) -> None:
    """Refuse (400 ``invalid_coupon_template`` naming the field) values outside their documented ranges."""
    if not data.name.strip() or len(data.name) > MAX_NAME:
        raise _invalid(_("give the coupon a name of at most %(n)d characters") % {"n": MAX_NAME}, "name")
    if data.kind not in CouponKind.values:
        raise _invalid(_("choose a coupon kind"), "kind")
    if data.channel not in CouponChannel.values:
        raise _invalid(_("choose a channel"), "channel")
    check_channel_rule(data.kind, data.channel)
    if data.kind == CouponKind.RATE_BOOST:
        if not Decimal(0) < data.boost_rate <= MAX_BOOST_RATE:
            raise _invalid(_("the extra rate must be more than 0 and at most %(max)s a year")
                           % {"max": f"{MAX_BOOST_RATE:.2%}"}, "boost_rate")
        if not 1 <= data.boost_months <= MAX_BOOST_MONTHS:
            raise _invalid(_("the boost lasts 1 to %(max)d months") % {"max": MAX_BOOST_MONTHS}, "boost_months")
        if data.value_minor:
            raise _invalid(_("a rate boost has no face value"), "value")
    else:
        if not 0 < data.value_minor <= MAX_COUPON_VALUE_MINOR:
            raise _invalid(_("the value must be more than 0 and at most %(max)s CNY")
                           % {"max": format_minor(MAX_COUPON_VALUE_MINOR)}, "value")
        if data.boost_rate or data.boost_months:
            raise _invalid(_("only a rate boost has an extra rate and months"), "boost_rate")
    if not 0 <= data.min_amount_minor <= MAX_MIN_AMOUNT_MINOR:
        raise _invalid(_("the minimum amount is at most %(max)s CNY")
                       % {"max": format_minor(MAX_MIN_AMOUNT_MINOR)}, "min_amount")
    if not 0 <= data.points_cost <= MAX_POINTS_COST:
        raise _invalid(_("the points cost is 0 to %(max)d") % {"max": MAX_POINTS_COST}, "points_cost")
    if data.valid_until < data.valid_from or (data.valid_until - data.valid_from).days > MAX_VALIDITY_DAYS:
        raise _invalid(_("the validity must end after it starts, within %(n)d days")
                       % {"n": MAX_VALIDITY_DAYS}, "valid_until")
    if any(g not in GRADE_LETTERS for g in data.eligible_grades):
        raise _invalid(_("grades are the letters %(letters)s") % {"letters": ", ".join(GRADE_LETTERS)},
                       "eligible_grades")
    if any(not 1 <= t <= 60 for t in data.eligible_terms):
        raise _invalid(_("terms are 1 to 60 months"), "eligible_terms")
    if any(m not in RepaymentMethod.values for m in data.eligible_methods):
        raise _invalid(_("choose repayment methods from the list"), "eligible_methods")


def create_template(actor: User, data: TemplateInput) -> CouponTemplate:
    """An operator defines a coupon template (audited)."""
    require_role(actor, *STAFF_ROLES)
    validate_template(data)
    with transaction.atomic():
        template = CouponTemplate.objects.create(
            name=data.name.strip(), kind=data.kind, channel=data.channel, value_minor=data.value_minor,
            boost_rate=data.boost_rate, boost_months=data.boost_months, min_amount_minor=data.min_amount_minor,
            eligible_grades=sorted(set(data.eligible_grades)), eligible_terms=sorted(set(data.eligible_terms)),
            eligible_methods=sorted(set(data.eligible_methods)), valid_from=data.valid_from,
            valid_until=data.valid_until, points_cost=data.points_cost, created_by=actor,
        )
        record_audit(actor=actor, action="marketing.coupon_template_created", target=template,
                     new=template_values(template))
    return template


def set_template_active(actor: User, template_id: int, active: bool, reason: str = "") -> CouponTemplate:
    """Switch a template on or off (audited); coupons already issued keep their own validity."""
    require_role(actor, *STAFF_ROLES)
    with transaction.atomic():
        template = CouponTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("coupon template %(id)s does not exist") % {"id": template_id})
        old = template.active
        if old != active:
            CouponTemplate.objects.filter(pk=template.pk).update(active=active)
            template.active = active
            record_audit(actor=actor, action="marketing.coupon_template_switched", target=template,
                         old={"active": old}, new={"active": active}, reason=reason)
    return template


def template_values(template: CouponTemplate) -> dict[str, object]:
    return {
        "name": template.name, "kind": template.kind, "channel": template.channel,
        "value_minor": template.value_minor, "boost_rate": template.boost_rate,
        "boost_months": template.boost_months, "min_amount_minor": template.min_amount_minor,
        "eligible_grades": template.eligible_grades, "eligible_terms": template.eligible_terms,
        "eligible_methods": template.eligible_methods, "valid_from": template.valid_from,
        "valid_until": template.valid_until, "points_cost": template.points_cost,
    }
