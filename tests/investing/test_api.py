"""The JSON API refuses a note that does not suit the investor, with a code a client can act on."""

from __future__ import annotations

import pytest

from peerlend.lending.models import Note
from tests.investing.test_suitability import fresh_investor
from tests.lending.test_api import _client, _post

pytestmark = pytest.mark.django_db


def test_api_invest_without_questionnaire_is_403_with_a_code(client, listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    r = _post(_client(client, investor), f"/api/loans/{loan.pk}/investments", {"amount": "100.00"}, key="s-1")
    assert r.status_code == 403, r.content
    assert r.json()["code"] == "suitability_required"
    assert "risk questionnaire" in r.json()["detail"]
    assert not Note.objects.filter(investor=investor).exists()
