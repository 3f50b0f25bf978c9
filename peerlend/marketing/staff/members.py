"""An agent's own members and one-to-one marketing with them: tags and logged contacts.

"My members" are those the agent registered or verified in person (``accounts.selectors``); an agent
can tag or log a contact only with one of them, anyone else does not exist for them (404).
Tags: 1-32 letters, digits, ``-`` or ``_`` (any script), at most 20 per member; campaign segments
select members by tag. A coupon an agent sends is a member-service one (fee discount, service voucher)
offered offline, never an investment coupon (the O2O rule, enforced again by ``issue_coupon``); one
per (agent, member, template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.accounts.selectors import members_registered_by
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, NotFound
from peerlend.marketing.models_coupons import OFFLINE_KINDS, Coupon, CouponTemplate
from peerlend.marketing.models_staff import ContactMethod, MemberContact, MemberTag

TAG_RE = re.compile(r"^[\w-]{1,32}$")
MAX_TAGS = 20
MAX_NOTE = 500
MEMBERS_SHOWN = 200


@dataclass(frozen=True)
class MemberRow:
    member: User
    tags: list[str]


def my_members(agent: User) -> QuerySet[User]:
    return members_registered_by(agent)


def my_member(agent: User, member_id: int) -> User:
    member = my_members(agent).filter(pk=member_id).first()
    if member is None:
        raise NotFound(_("No such member among yours."), code="member_not_found")
    return member


def member_rows(agent: User) -> list[MemberRow]:
    """The agent's newest members with their tags (two queries)."""
    members = list(my_members(agent)[:MEMBERS_SHOWN])
    tags: dict[int, list[str]] = {}
    for member_id, tag in MemberTag.objects.filter(member__in=members).values_list("member_id", "tag"):
        tags.setdefault(member_id, []).append(tag)
    return [MemberRow(m, sorted(tags.get(m.pk, []))) for m in members]


def contacts_of(agent: User, member_id: int) -> list[MemberContact]:
    return list(MemberContact.objects.filter(agent=agent, member_id=member_id)[:50])


def clean_tag(text: str) -> str:
    tag = (text or "").strip().lower()
    if not TAG_RE.match(tag):
        raise ApplicationError(_("A tag is 1 to 32 letters, digits, - or _."), code="invalid_tag",
                               extra={"field": "tag"})
    return tag


@transaction.atomic
def add_tag(*, agent: User, member_id: int, tag: str) -> MemberTag:
    """Tag one of the agent's members (a tag already there is refused, 409)."""
    require_agent_point(agent)
    member = my_member(agent, member_id)
    tag = clean_tag(tag)
    User.objects.select_for_update().filter(pk=member.pk).first()  # serialise the cap check per member
    before = sorted(MemberTag.objects.filter(member=member).values_list("tag", flat=True))
    if len(before) >= MAX_TAGS:
        raise ApplicationError(_("This member has the most tags allowed (20)."), code="too_many_tags")
    try:
        with transaction.atomic():
            made = MemberTag.objects.create(member=member, tag=tag, added_by=agent)
    except IntegrityError:
        raise ApplicationError(_("This member has that tag already."), code="tag_exists", status=409) from None
    record_audit(actor=agent, action="marketing.member_tagged", target=member, old={"tags": before},
                 new={"tags": sorted([*before, tag])})
    return made


@transaction.atomic
def log_contact(*, agent: User, member_id: int, method: str, note: str) -> MemberContact:
    """Record a one-to-one contact (what was said or offered) with one of the agent's members."""
    require_agent_point(agent)
    member = my_member(agent, member_id)
    if method not in ContactMethod.values:
        raise ApplicationError(_("Choose how you contacted the member."), code="invalid_method",
                               extra={"field": "method"})
    note = (note or "").strip()
    if not 1 <= len(note) <= MAX_NOTE:
        raise ApplicationError(_("Write a note of 1 to 500 characters."), code="invalid_note", extra={"field": "note"})
    contact = MemberContact.objects.create(member=member, agent=agent, method=method, note=note)
    record_audit(actor=agent, action="marketing.member_contact_logged", target=member,
                 new={"method": method, "contact": contact.pk})
    return contact


def offerable_templates(today: object = None) -> list[CouponTemplate]:
    """Coupon templates an agent may hand out now: active, valid, offline-usable member-service kinds."""
    day = today or business_date()
    return list(CouponTemplate.objects.filter(
        active=True, valid_from__lte=day, valid_until__gte=day, kind__in=[k.value for k in OFFLINE_KINDS],
        channel__in=["offline", "both"]).order_by("name"))


@transaction.atomic
def send_coupon(*, agent: User, member_id: int, template_id: int) -> tuple[Coupon, bool]:
    """Give one of the agent's members a coupon; (coupon, False) when this agent already gave this one."""
    from peerlend.marketing.coupons.issuing import issue_coupon

    require_agent_point(agent)
    member = my_member(agent, member_id)
    template = next((t for t in offerable_templates() if t.pk == template_id), None)
    if template is None:
        raise ApplicationError(_("Choose a coupon you may hand out at the point."), code="coupon_not_offerable",
                               extra={"field": "template"})
    key = f"agent:{agent.pk}:template:{template.pk}"
    existed = Coupon.objects.filter(user=member, issue_key=key).exists()
    coupon = issue_coupon(template, member, source="agent", idempotency_key=key)
    if not existed:
        record_audit(actor=agent, action="marketing.coupon_sent_by_agent", target=member,
                     new={"template": template.pk, "coupon": coupon.pk, "kind": template.kind})
    return coupon, not existed
