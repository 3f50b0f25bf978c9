"""The borrower sees their limit and which bound applies on their loans page (read only)."""

from django.urls import reverse

from peerlend.lending import services
from tests.scoring.limits.conftest import application, borrower


def test_page_shows_the_limit_and_the_binding_bound(client, db):
    user = borrower()
    services.submit_application(borrower=user, data=application(amount_minor=10_000_00,
                                                                annual_income_minor=60_000_00))
    client.force_login(user)
    r = client.get(reverse("web:my_loans"))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'id="credit-limit"' in body
    assert "75,000.00" in body or "75000.00" in body  # debt-service bound: 2,500 x 30
    assert "applies" in body


def test_page_before_any_application_explains_where_the_limit_comes_from(client, db):
    user = borrower()
    client.force_login(user)
    body = client.get(reverse("web:my_loans")).content.decode()
    assert "first scored application" in body
