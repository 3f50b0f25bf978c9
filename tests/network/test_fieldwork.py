"""Agents record visits and field verifications, only for members of their own point; both audited."""

from __future__ import annotations

import pytest

from peerlend.accounts.network import fieldwork
from peerlend.accounts.network.models import FieldVerification, PointVisit
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from tests.factories import make_user
from tests.network.conftest import ALL_CONFIRMED, PNG


def test_field_verification_with_photo_is_stored_and_audited(agent, application_at_point) -> None:
    v = fieldwork.record_field_verification(agent, loan=application_at_point, checks=ALL_CONFIRMED, result="pass",
                                            notes="lives there", photos=[fieldwork.Photo("a.png", "image/png", PNG)])
    assert v.checks.count() == 4 and v.photos.count() == 1
    assert fieldwork.photo_path(v.photos.get()).read_bytes() == PNG
    event = AuditEvent.objects.get(action="accounts.field_verification_recorded")
    assert event.new["result"] == "pass" and event.new["photos"] == 1


def test_agent_of_another_point_cannot_verify(other_agent, application_at_point) -> None:
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_field_verification(other_agent, loan=application_at_point, checks=ALL_CONFIRMED,
                                            result="pass")
    assert exc.value.code == "member_not_at_point" and exc.value.status == 403
    assert not FieldVerification.objects.exists()


def test_photo_must_be_an_image(agent, application_at_point) -> None:
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_field_verification(agent, loan=application_at_point, checks=ALL_CONFIRMED, result="pass",
                                            photos=[fieldwork.Photo("a.png", "image/png", b"%PDF-1.4 not a png")])
    assert exc.value.code == "invalid_photo"
    assert not FieldVerification.objects.exists()


def test_every_item_needs_a_result(agent, application_at_point) -> None:
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_field_verification(agent, loan=application_at_point,
                                            checks={"residence": ("confirmed", "")}, result="pass")
    assert exc.value.code == "invalid_checks"


def test_pass_needs_something_confirmed(agent, application_at_point) -> None:
    nothing = {item: ("not_checked", "") for item in ALL_CONFIRMED}
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_field_verification(agent, loan=application_at_point, checks=nothing, result="pass")
    assert exc.value.code == "invalid_result"


def test_visit_to_member_of_point_is_recorded(agent, application_at_point) -> None:
    member = application_at_point.borrower
    visit = fieldwork.record_visit(agent, member=member, purpose="documents", notes="payslips")
    assert PointVisit.objects.get(pk=visit.pk).member_id == member.pk
    assert AuditEvent.objects.filter(action="accounts.point_visit_recorded").count() == 1


def test_visit_to_someone_elses_member_is_refused(agent, db) -> None:
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_visit(agent, member=make_user(roles=("borrower",)), purpose="registration")
    assert exc.value.code == "member_not_at_point"


def test_follow_up_needs_a_disbursed_loan(agent, application_at_point) -> None:
    with pytest.raises(ApplicationError) as exc:
        fieldwork.record_visit(agent, member=application_at_point.borrower, purpose="follow_up",
                               loan=application_at_point)
    assert exc.value.code == "loan_not_disbursed"


def test_follow_up_on_disbursed_loan(agent, member_loan) -> None:
    visit = fieldwork.record_visit(agent, member=member_loan.borrower, purpose="follow_up", loan=member_loan)
    assert visit.loan_id == member_loan.pk
