"""Finding 10 (part): the risk officer's free-text decision note is staff-only.

Members and anonymous visitors never see it (public pages, public API); the borrower sees a
generic label for the decision; reviewing and oversight staff see the note itself.
"""

from __future__ import annotations

import pytest

from peerlend.accounts.models import Role
from peerlend.api.auth import issue_token
from peerlend.lending import services
from tests.factories import make_staff, make_user
from tests.lending.conftest import application

NOTE = "Called employer HR 2026-03-01: salary confirmed; spouse has gambling debts"


def _api_get(client, url, user=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"} if user else {}
    return client.get(url, **headers)


@pytest.fixture
def approved(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    return services.approve(officer=officer, loan_id=loan.pk, reason=NOTE)


@pytest.fixture
def rejected(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application(amount_minor=9_000_00))
    return services.reject(officer=officer, loan_id=loan.pk, reason=NOTE)


def test_public_api_never_carries_the_note(client, approved):
    assert approved.status == "listed"
    listing = _api_get(client, "/api/loans").json()
    row = next(r for r in listing if r["id"] == approved.pk)
    assert row["decision_reason"] == ""
    assert NOTE not in _api_get(client, "/api/loans").content.decode()
    member = make_user(roles=("investor",))
    body = _api_get(client, f"/api/loans/{approved.pk}", member).json()
    assert body["decision_reason"] == ""


@pytest.mark.parametrize("role", [Role.RISK_OFFICER, Role.COMPLIANCE, Role.OPERATOR, Role.ADMIN, Role.REGULATOR])
def test_oversight_staff_read_the_note(client, approved, role):
    body = _api_get(client, f"/api/loans/{approved.pk}", make_staff(role)).json()
    assert body["decision_reason"] == NOTE


@pytest.mark.parametrize("role", [Role.COLLECTIONS, Role.AGENT])
def test_other_staff_do_not(client, approved, role):
    body = _api_get(client, f"/api/loans/{approved.pk}", make_staff(role)).json()
    assert body["decision_reason"] == ""


def test_borrower_sees_a_generic_label_not_the_note(client, borrower, rejected):
    mine = _api_get(client, "/api/loans/mine", borrower).json()
    row = next(r for r in mine if r["id"] == rejected.pk)
    assert row["decision_reason"] and NOTE not in row["decision_reason"]
    client.force_login(borrower)
    html = client.get("/my/loans/").content.decode()
    assert NOTE not in html and "not approved" in html
    html = client.get(f"/loans/{rejected.pk}/").content.decode()
    assert NOTE not in html


def test_loan_page_shows_the_note_to_staff_only(client, approved):
    url = f"/loans/{approved.pk}/"
    assert NOTE not in client.get(url).content.decode()
    client.force_login(make_user(roles=("investor",)))
    assert NOTE not in client.get(url).content.decode()
    client.force_login(make_staff(Role.RISK_OFFICER))
    assert NOTE in client.get(url).content.decode()


def test_documents_requested_label_points_to_the_upload_not_elsewhere():
    """The label sits next to the borrower's upload form: it must send them there, not to support."""
    from peerlend.domain.lifecycle import LoanStatus
    from peerlend.lending.decision_note import generic_label
    from peerlend.lending.models import Loan

    label = generic_label(Loan(status=LoanStatus.DOCUMENTS_REQUESTED, decision_reason="payslips for 3 months"))
    assert "inbox" in label and "Upload" in label
    assert "support will tell you" not in label
