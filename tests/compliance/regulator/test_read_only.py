"""Every regulator page and export is read-only (no POST succeeds) and every read is in the access log."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from peerlend.accounts.models import User
from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.compliance.regulator import access
from peerlend.web import labels
from tests.compliance.regulator.conftest import PAGES, client_of
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db


def _path(page: str, member: User) -> str:
    return page.format(member=member.pk)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_other_method_than_get_is_accepted(page, method, reg_client, regulator):
    response = getattr(reg_client, method)(_path(page, regulator), {"reason": "trying to write something"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert RegulatorAccess.objects.count() == 0


@pytest.mark.parametrize("page", PAGES)
def test_each_read_writes_one_access_row(page, reg_client, regulator):
    member = make_user()
    path = _path(page, member)
    response = reg_client.get(path)
    assert response.status_code == 200, response.content[:300]
    rows = list(RegulatorAccess.objects.all())
    assert len(rows) == 1
    row = rows[0]
    assert row.actor_id == regulator.pk and row.actor_username == regulator.username
    assert row.path == path.split("?")[0] and row.status_code == 200
    assert row.action in access.ACTIONS
    if "?" in path:
        expected = dict(pair.split("=") for pair in path.split("?")[1].split("&"))
        assert {k: v for k, v in row.filters.items() if k in expected} == expected


@pytest.mark.parametrize("role", ["compliance", "operator", "admin", "risk_officer"])
def test_other_staff_are_refused_and_nothing_is_logged(role, today):
    client = client_of(make_staff(role))
    for page in PAGES:
        assert client.get(_path(page, make_user(kyc=False))).status_code == 403, page
    assert RegulatorAccess.objects.count() == 0


def test_members_and_anonymous_cannot_read(today):
    member = make_user(roles=("investor", "borrower"))
    assert client_of(member).get("/regulator/").status_code == 403
    from django.test import Client

    response = Client().get("/regulator/loans")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert RegulatorAccess.objects.count() == 0


def test_a_bad_filter_is_a_400_and_still_logged(reg_client):
    response = reg_client.get("/regulator/loans?loan_id=abc")
    assert response.status_code == 400
    row = RegulatorAccess.objects.get()
    assert (row.action, row.status_code, row.filters) == (access.LOAN_SEARCH, 400, {"loan_id": "abc"})


def test_a_missing_member_is_a_404_and_logged(reg_client):
    assert reg_client.get("/regulator/members/999999").status_code == 404
    row = RegulatorAccess.objects.get()
    assert (row.action, row.status_code, row.target_id) == (access.MEMBER_VIEW, 404, "999999")


def test_the_access_log_page_shows_earlier_reads_with_labels(reg_client):
    reg_client.get("/regulator/loans?grade=B")
    page = reg_client.get("/regulator/access-log").content.decode()
    assert "Regulator: searched loans" in page and "grade=B" in page
    assert "regulator.loan_search" not in page


def test_the_access_log_is_append_only(reg_client):
    reg_client.get("/regulator/")
    row = RegulatorAccess.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        RegulatorAccess.objects.filter(pk=row.pk).update(reason="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        RegulatorAccess.objects.filter(pk=row.pk).delete()
    assert RegulatorAccess.objects.get().reason == ""


def test_every_access_action_has_a_label():
    missing = [a for a in access.ACTIONS if a not in labels.AUDIT_ACTIONS]
    assert missing == []


def test_an_unknown_action_is_refused(regulator):
    with pytest.raises(ValueError):
        access.record_access(actor=regulator, action="regulator.nothing", path="/x")


def test_the_nav_shows_the_regulator_entry_to_the_regulator_only(reg_client, today):
    assert 'href="/regulator/"' in reg_client.get("/").content.decode()
    assert 'href="/regulator/"' not in client_of(make_staff("compliance")).get("/").content.decode()
