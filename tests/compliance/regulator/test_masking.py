"""PII is masked by default; a logged justification shows it in clear for that member and that answer only."""

from __future__ import annotations

import pytest

from peerlend.accounts.models import Identity
from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.compliance.regulator import access
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REASON = "Case 2025-17: complaint about collection practices"


def _member():
    member = make_user(roles=("borrower",))
    return member, Identity.objects.get(user=member).decrypted()


def test_a_member_file_is_masked_by_default(reg_client):
    member, clear = _member()
    page = reg_client.get(f"/regulator/members/{member.pk}").content.decode()
    identity = Identity.objects.get(user=member)
    assert identity.resident_id_masked in page and identity.mobile_masked in page
    for value in clear.values():
        assert value not in page
    row = RegulatorAccess.objects.get()
    assert (row.action, row.reason, row.target_type, row.target_id) == (
        access.MEMBER_VIEW, "", "accounts.user", str(member.pk))


def test_a_justified_read_shows_that_member_in_clear_and_logs_the_reason(reg_client):
    member, clear = _member()
    page = reg_client.get(f"/regulator/members/{member.pk}", {"reason": REASON}).content.decode()
    assert clear["resident_id"] in page and clear["mobile"] in page and clear["bank_card"] in page
    row = RegulatorAccess.objects.get()
    assert (row.action, row.reason) == (access.MEMBER_UNMASKED, REASON)
    assert "reason" not in row.filters


def test_the_clear_view_lasts_one_answer_and_one_member(reg_client):
    member, clear = _member()
    other, other_clear = _member()
    reg_client.get(f"/regulator/members/{member.pk}", {"reason": REASON})
    again = reg_client.get(f"/regulator/members/{member.pk}").content.decode()
    assert clear["resident_id"] not in again
    elsewhere = reg_client.get(f"/regulator/members/{other.pk}").content.decode()
    assert other_clear["resident_id"] not in elsewhere
    assert list(RegulatorAccess.objects.order_by("id").values_list("action", flat=True)) == [
        access.MEMBER_UNMASKED, access.MEMBER_VIEW, access.MEMBER_VIEW]


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_a_missing_or_thin_justification_is_refused_and_stays_masked(reg_client, reason):
    member, clear = _member()
    response = reg_client.get(f"/regulator/members/{member.pk}", {"reason": reason})
    assert response.status_code == 400
    assert clear["resident_id"] not in response.content.decode()
    row = RegulatorAccess.objects.get()
    assert (row.action, row.status_code, row.reason) == (access.MEMBER_VIEW, 400, "")


def test_a_too_long_justification_is_refused(reg_client):
    member, clear = _member()
    response = reg_client.get(f"/regulator/members/{member.pk}", {"reason": "x" * 501})
    assert response.status_code == 400 and clear["resident_id"] not in response.content.decode()


def test_member_search_finds_by_resident_id_and_shows_it_masked(reg_client):
    member, clear = _member()
    make_user()
    page = reg_client.get("/regulator/members", {"q": clear["resident_id"]}).content.decode()
    assert f"/regulator/members/{member.pk}" in page
    results = page.split('id="member-results"')[1]
    assert clear["resident_id"] not in results
    assert Identity.objects.get(user=member).resident_id_masked in results
    # The log keeps what was searched for, masked like the pages show it.
    logged = RegulatorAccess.objects.get().filters["q"]
    assert clear["resident_id"] not in logged and logged.endswith(clear["resident_id"][-4:])


def test_member_search_by_mobile_and_by_number(reg_client):
    member, clear = _member()
    assert f"/regulator/members/{member.pk}" in reg_client.get("/regulator/members", {"q": clear["mobile"]}
                                                                ).content.decode()
    assert f"/regulator/members/{member.pk}" in reg_client.get("/regulator/members", {"q": str(member.pk)}
                                                                ).content.decode()


def test_loan_search_shows_the_borrower_masked(reg_client):
    from peerlend.lending import services as lending
    from tests.lending.conftest import application

    member, clear = _member()
    loan = lending.submit_application(borrower=member, data=application(amount_minor=5_000_00))
    page = reg_client.get("/regulator/loans", {"borrower_id": member.pk}).content.decode()
    assert f"#{loan.pk}" in page
    assert clear["real_name"] not in page and clear["resident_id"] not in page
    assert Identity.objects.get(user=member).resident_id_masked in page
