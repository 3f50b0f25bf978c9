"""An agent's one-to-one marketing: tags and contacts on their own members only, audited."""

from __future__ import annotations

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.marketing.models_staff import MemberContact, MemberTag
from peerlend.marketing.staff import members
from tests.factories import make_user
from tests.marketing.staff.conftest import MONTH, agent_at, point, registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_and_member() -> tuple:
    p = point()
    agent = agent_at(p)
    return agent, registered(agent, p, on=MONTH)


def test_tag_my_member(agent_and_member: tuple) -> None:
    agent, member = agent_and_member
    tag = members.add_tag(agent=agent, member_id=member.pk, tag="  VIP-贷款 ")
    assert (tag.tag, tag.added_by_id) == ("vip-贷款", agent.pk)
    event = AuditEvent.objects.get(action="marketing.member_tagged")
    assert event.old == {"tags": []} and event.new == {"tags": ["vip-贷款"]}
    assert [r.tags for r in members.member_rows(agent)] == [["vip-贷款"]]


def test_a_tag_once_and_well_formed(agent_and_member: tuple) -> None:
    agent, member = agent_and_member
    members.add_tag(agent=agent, member_id=member.pk, tag="vip")
    with pytest.raises(ApplicationError) as err:
        members.add_tag(agent=agent, member_id=member.pk, tag="VIP")
    assert err.value.status == 409
    for bad in ("", "a b", "x" * 33, "=cmd()"):
        with pytest.raises(ApplicationError):
            members.add_tag(agent=agent, member_id=member.pk, tag=bad)
    assert MemberTag.objects.count() == 1


def test_someone_elses_member_does_not_exist_for_me(agent_and_member: tuple) -> None:
    agent, _member = agent_and_member
    other = agent_at(point())
    stranger = registered(other, other.agent_memberships.get().service_point, on=MONTH)
    with pytest.raises(NotFound):
        members.add_tag(agent=agent, member_id=stranger.pk, tag="vip")
    with pytest.raises(NotFound):
        members.log_contact(agent=agent, member_id=make_user().pk, method="phone", note="hello")
    assert not MemberTag.objects.exists() and not MemberContact.objects.exists()


def test_only_agents(agent_and_member: tuple) -> None:
    _agent, member = agent_and_member
    with pytest.raises(PermissionDenied):
        members.add_tag(agent=make_user(), member_id=member.pk, tag="vip")


def test_log_a_contact(agent_and_member: tuple) -> None:
    agent, member = agent_and_member
    members.log_contact(agent=agent, member_id=member.pk, method="visit", note="Explained the fee discount.")
    assert [c.note for c in members.contacts_of(agent, member.pk)] == ["Explained the fee discount."]
    assert AuditEvent.objects.filter(action="marketing.member_contact_logged").count() == 1
    for method, note in (("fax", "x"), ("phone", ""), ("phone", "x" * 501)):
        with pytest.raises(ApplicationError):
            members.log_contact(agent=agent, member_id=member.pk, method=method, note=note)
    assert MemberContact.objects.count() == 1
