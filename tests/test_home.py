import pytest


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"peerlend" in response.content


def test_api_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_home_shows_marketplace_figures(client):
    from peerlend.lending import services
    from tests.factories import make_staff, make_user
    from tests.lending.conftest import application

    borrower = make_user(roles=("borrower",))
    loan = services.submit_application(borrower=borrower, data=application(amount_minor=12_000_00))
    services.approve(officer=make_staff("risk_officer"), loan_id=loan.pk)
    response = client.get("/")
    assert response.context["summary"].listed_loans == 1
    assert b"Loans open for investment" in response.content
