"""The portfolio page and its CSV export: investors only, figures, filters, paging, explanation, no writes."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from peerlend.investing.portfolio import portfolio_of
from peerlend.investing.portfolio.filters import CSV_HEADER
from peerlend.lending.models import Note
from peerlend.web.templatetags.money import money, percent
from tests.factories import make_staff, make_user

URL = "/investing/portfolio"


@pytest.fixture
def me_client(client, world):
    client.force_login(world.me)
    return client


def test_reverses():
    assert reverse("web:portfolio") == URL
    assert reverse("web:portfolio_notes_csv") == URL + "/notes.csv"


def test_anonymous_goes_to_log_in(client, db):
    assert client.get(URL).status_code == 302


def test_staff_without_investor_role_is_refused(client, db):
    client.force_login(make_staff("operator"))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "/notes.csv").status_code == 403


def test_new_investor_sees_new(client, db):
    client.force_login(make_user(roles=("investor",)))
    page = client.get(URL).content.decode()
    assert 'data-figure="nar">New<' in page
    assert "No note matches these filters." in page


def test_summary_cards_and_charts(me_client, world):
    p = portfolio_of(world.me, world.today)
    page = me_client.get(URL).content.decode()
    assert f'data-figure="cash_available">{money(p.cash_available_minor)}<' in page
    assert f'data-figure="principal_outstanding">{money(p.principal_outstanding_minor)}<' in page
    assert f'data-figure="nar">{percent(p.nar)}<' in page
    assert f'data-figure="xirr">{percent(p.xirr)}<' in page
    assert "Lending Club" in page  # the NAR explanation
    assert "Late (16-30 days) 25%; Late (31-120 days) 50%" in page  # the loss rates behind adjusted NAR
    assert 'id="portfolio-charts"' in page  # the charts partial is included
    assert f'href="{reverse("web:loan_detail", args=[world.solo.pk])}"' in page
    assert "table-responsive" in page and "style=" not in page


def test_filters_narrow_the_notes(me_client, world):
    mine = {n.loan_id: n.pk for n in Note.objects.filter(investor=world.me)}
    page = me_client.get(URL, {"status": "late_31_120"}).content.decode()
    assert f'data-note="{mine[world.shared.pk]}"' in page and f'data-note="{mine[world.solo.pk]}"' not in page
    page = me_client.get(URL, {"term": "12"}).content.decode()
    assert f'data-note="{mine[world.solo.pk]}"' in page and f'data-note="{mine[world.shared.pk]}"' not in page
    page = me_client.get(URL, {"loan": str(world.funding.pk)}).content.decode()
    assert f'data-note="{mine[world.funding.pk]}"' in page and f'data-note="{mine[world.solo.pk]}"' not in page


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"term": "61"}, {"vintage": "2026-13"}, {"loan": "-1"},
                                   {"grade": "Z"}, {"page": "0"}, {"page": "x" * 50}])
def test_bad_filter_is_a_message_not_an_error(me_client, world, query):
    response = me_client.get(URL, query)
    assert response.status_code == 200
    assert 'class="alert alert-warning"' in response.content.decode()


def test_csv_export_is_the_filtered_notes(me_client, world):
    response = me_client.get(URL + "/notes.csv", {"term": "12"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == CSV_HEADER
    assert [r[1] for r in rows[1:]] == [str(world.solo.pk)]
    assert me_client.get(URL + "/notes.csv", {"term": "0"}).status_code == 400


def test_csv_neutralises_formulas(me_client, world):
    from peerlend.lending.models import Loan

    Loan.objects.filter(pk=world.solo.pk).update(title="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(me_client.get(URL + "/notes.csv").content.decode())))
    assert "'=HYPERLINK(1)" in [r[2] for r in rows]


def test_paging(client, world, monkeypatch):
    monkeypatch.setattr("peerlend.web.views.portfolio.PAGE_SIZE", 1)
    client.force_login(world.me)
    first = client.get(URL).content.decode()
    assert "Page 1 of 3" in first
    third = client.get(URL, {"page": "3"}).content.decode()
    assert third.count("data-note=") == 1 and "Page 3 of 3" in third


def test_post_is_not_allowed(me_client, world):
    assert me_client.post(URL).status_code == 405
