import pytest

from peerlend.accounts.models import Identity, User
from peerlend.accounts.services import (
    assign_agent,
    create_service_point,
    grant_role,
    register_member_offline,
    revoke_role,
    verify_identity,
)
from peerlend.compliance.models import AuditEvent
from peerlend.compliance.selectors import verify_audit_chain
from peerlend.errors import ApplicationError, PermissionDenied
from tests.factories import (
    make_agent,
    make_service_point,
    make_staff,
    make_user,
    random_bank_card,
    random_resident_id,
)

pytestmark = pytest.mark.django_db


def test_admin_grants_staff_role_with_audit():
    admin, user = make_staff("admin"), make_user()
    grant_role(admin, user, "risk_officer", reason="hired as risk officer")
    user.refresh_from_db()
    assert user.has_role("risk_officer") and user.has_role("investor")
    ev = AuditEvent.objects.get(action="accounts.role_granted")
    assert ev.actor == admin and ev.target_id == str(user.pk) and ev.reason == "hired as risk officer"
    assert ev.old == {"roles": ["investor"]} and ev.new == {"roles": ["investor", "risk_officer"]}
    # Granting again changes nothing and writes nothing.
    grant_role(admin, user, "risk_officer", reason="again")
    assert AuditEvent.objects.filter(action="accounts.role_granted").count() == 1
    revoke_role(admin, user, "risk_officer", reason="left")
    user.refresh_from_db()
    assert not user.has_role("risk_officer")
    assert verify_audit_chain() == []


@pytest.mark.parametrize(("actor_role", "role", "code"), [
    ("investor", "agent", "forbidden_role"),
    ("agent", "agent", "forbidden_role"),
    ("operator", "admin", "forbidden_role"),
    ("operator", "compliance", "forbidden_role"),
])
def test_role_grants_are_refused_to_the_wrong_people(actor_role, role, code):
    actor = make_staff(actor_role) if actor_role != "investor" else make_user()
    user = make_user()
    with pytest.raises(PermissionDenied) as exc:
        grant_role(actor, user, role, reason="x")
    assert exc.value.code == code
    user.refresh_from_db()
    assert not user.has_role(role) and not AuditEvent.objects.exists()


def test_grant_needs_reason_and_known_role_and_not_self():
    admin = make_staff("admin")
    with pytest.raises(ApplicationError) as exc:
        grant_role(admin, make_user(), "agent", reason=" ")
    assert exc.value.code == "reason_required"
    with pytest.raises(ApplicationError) as exc:
        grant_role(admin, make_user(), "superhero", reason="x")
    assert exc.value.code == "unknown_role"
    with pytest.raises(PermissionDenied) as exc:
        grant_role(admin, admin, "operator", reason="x")
    assert exc.value.code == "self_grant"


def test_operator_opens_point_and_assigns_agent():
    op = make_staff("operator")
    point = create_service_point(op, code="bj01", name="Chaoyang", city="Beijing", reason="opening")
    assert point.code == "BJ01"
    person = make_user(kyc=False)
    grant_role(op, person, "agent", reason="hired")
    assign_agent(op, person, point, reason="staffing")
    member = register_member_offline(person, username="walkin", email="walkin@example.com")
    assert member.registered_point == point
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["accounts.service_point_created", "accounts.role_granted", "accounts.agent_assigned",
                       "accounts.member_registered_offline"]


def test_agent_offline_registration_and_verification_records_channel_agent_point():
    point = make_service_point()
    agent = make_agent(point)
    member = register_member_offline(agent, username="carol", email="carol@example.com")
    assert member.channel == "offline" and member.registered_by == agent and member.registered_point == point
    assert sorted(member.roles) == ["borrower", "investor"]
    identity = verify_identity(member, real_name="陈七", resident_id=random_resident_id(), mobile="13612345678",
                               bank_card=random_bank_card(), agent=agent)
    assert identity.channel == "offline" and identity.verified_by == agent and identity.service_point == point
    ev = AuditEvent.objects.get(action="kyc.verified_in_person")
    assert ev.actor == agent and ev.new["service_point"] == point.code
    assert ev.new["resident_id"] == identity.resident_id_masked  # only masked PII in the audit trail
    assert verify_audit_chain() == []


def test_non_agent_and_agent_of_inactive_point_are_refused():
    with pytest.raises(PermissionDenied) as exc:
        register_member_offline(make_user(), username="x1", email="x1@example.com")
    assert exc.value.code == "forbidden_role"
    inactive = make_service_point(active=False)
    agent = make_agent(inactive)
    with pytest.raises(PermissionDenied) as exc:
        register_member_offline(agent, username="x2", email="x2@example.com")
    assert exc.value.code == "not_agent_of_point"
    with pytest.raises(PermissionDenied):
        verify_identity(make_user(kyc=False), real_name="周八", resident_id=random_resident_id(),
                        mobile="13512345678", bank_card=random_bank_card(), agent=agent)
    # An agent may not act for a point they do not belong to.
    agent2 = make_agent()
    with pytest.raises(PermissionDenied):
        register_member_offline(agent2, username="x3", email="x3@example.com", service_point=make_service_point())
    assert not User.objects.filter(username__in=["x1", "x2", "x3"]).exists()
    assert not Identity.objects.filter(channel="offline").exists()


def test_grant_role_command_bootstrap_then_grant():
    from django.core.management import CommandError, call_command

    first, second = make_user(kyc=False), make_user(kyc=False)
    call_command("grant_role", first.username, "admin", "--bootstrap", "--reason", "first admin")
    first.refresh_from_db()
    assert first.has_role("admin") and first.is_staff
    with pytest.raises(CommandError, match="exists already"):
        call_command("grant_role", second.username, "admin", "--bootstrap", "--reason", "me too")
    call_command("grant_role", second.username, "agent", "--by", first.username, "--reason", "hired")
    second.refresh_from_db()
    assert second.has_role("agent")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "accounts.admin_bootstrapped", "accounts.role_granted"]
    assert verify_audit_chain() == []
