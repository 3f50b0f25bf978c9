"""The network's pages: locator, operator, agent forms, receipts; the review and loan pages show the records."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peerlend.accounts.models import Role
from peerlend.accounts.network import fieldwork
from peerlend.accounts.network.models import CounterReceipt, FieldVerification
from peerlend.servicing.models import Installment
from tests.factories import make_staff
from tests.network.conftest import ALL_CONFIRMED, PNG


def client_for(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_locator_is_public_and_filters_by_city(point) -> None:
    page = Client().get("/service-points/", {"city": point.city})
    assert page.status_code == 200 and point.name in page.content.decode()
    assert point.name not in Client().get("/service-points/", {"city": "Nowhere"}).content.decode()
    api = Client().get("/api/service-points")
    assert api.status_code == 200 and api.json()[0]["code"] == point.code


def test_operator_creates_point_from_the_page(db) -> None:
    operator = client_for(make_staff(Role.OPERATOR))
    answer = operator.post("/operator/service-points/", {"code": "gz1", "name": "Tianhe", "city": "Guangzhou",
                                                          "opening_hours": "9-17", "active": "on", "reason": "new"})
    assert answer.status_code == 302
    assert "Tianhe" in operator.get("/operator/service-points/").content.decode()


def test_agent_takes_a_payment_and_the_borrower_sees_it(agent, member_loan) -> None:
    due = Installment.objects.filter(loan=member_loan).order_by("number").first().due_minor
    answer = client_for(agent).post("/agent/counter/", {"loan_id": member_loan.pk, "amount": f"{due / 100:.2f}",
                                                        "method": "cash", "idempotency_key": "page-1"})
    receipt = CounterReceipt.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/counter/receipts/{receipt.pk}"
    borrower = client_for(member_loan.borrower)
    assert borrower.get(f"/counter/receipts/{receipt.pk}").status_code == 200
    assert f"/counter/receipts/{receipt.pk}" in borrower.get(f"/loans/{member_loan.pk}/").content.decode()


def test_agent_of_another_point_is_refused_on_the_counter(other_agent, member_loan) -> None:
    answer = client_for(other_agent).post("/agent/counter/", {"loan_id": member_loan.pk, "amount": "10.00",
                                                              "method": "cash", "idempotency_key": "page-2"})
    assert answer.status_code == 400 and not CounterReceipt.objects.exists()
    assert client_for(other_agent).get("/counter/receipts/999999").status_code == 404


def test_field_verification_page_and_review_page(agent, application_at_point) -> None:
    data = {"visited_on": "2026-03-02", "result": "pass", "notes": "seen",
            **{f"check_{k}": v[0] for k, v in ALL_CONFIRMED.items()},
            "photos": [SimpleUploadedFile("door.png", PNG, content_type="image/png")]}
    url = f"/agent/loans/{application_at_point.pk}/field-verification"
    assert client_for(agent).post(url, data).status_code == 302
    verification = FieldVerification.objects.get()
    officer = client_for(make_staff(Role.RISK_OFFICER))
    review = officer.get(f"/review/{application_at_point.pk}/").content.decode()
    assert f'data-field-verification="{verification.pk}"' in review
    photo = verification.photos.get()
    assert officer.get(f"/review/field-photos/{photo.pk}").status_code == 200


def test_field_verification_page_refuses_another_points_agent(other_agent, application_at_point) -> None:
    url = f"/agent/loans/{application_at_point.pk}/field-verification"
    assert client_for(other_agent).get(url).status_code == 403


@pytest.mark.parametrize("who", ["borrower", "other_agent"])
def test_field_photo_is_not_public(who, agent, other_agent, application_at_point) -> None:
    v = fieldwork.record_field_verification(agent, loan=application_at_point, checks=ALL_CONFIRMED, result="pass",
                                            photos=[fieldwork.Photo("a.png", "image/png", PNG)])
    user = application_at_point.borrower if who == "borrower" else other_agent
    assert client_for(user).get(f"/review/field-photos/{v.photos.get().pk}").status_code == 404


def test_reconciliation_page_for_operators_only(agent) -> None:
    assert client_for(make_staff(Role.OPERATOR)).get("/operator/service-points/reconciliation").status_code == 200
    assert client_for(agent).get("/operator/service-points/reconciliation").status_code == 403
