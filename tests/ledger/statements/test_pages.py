"""The statements page: figures on GET (nothing stored), prepare on POST, downloads by owner and staff only."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from peerlend.domain.money import format_minor
from peerlend.ledger.models_statements import Statement
from peerlend.ledger.statements import services
from peerlend.ledger.statements.build import build_statement
from peerlend.ledger.statements.periods import parse_period
from tests.factories import make_staff


def _client(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def _money(minor: int) -> str:
    whole, _, frac = format_minor(minor).partition(".")
    return f"{int(whole):,}.{frac}"


def test_page_shows_the_figures_and_stores_nothing(world):
    response = _client(world.investor).get(reverse("web:statements"), {"period": "2026-04"})
    assert response.status_code == 200
    data = build_statement(world.investor, parse_period("2026-04"))
    html = response.content.decode()
    assert _money(data.totals["interest_received"]) in html and _money(data.closing) in html
    assert "Prepare PDF" in html and "withdrawal_freeze" not in html
    assert not Statement.objects.exists()


def test_page_defaults_to_the_last_closed_month_and_lists_years(world):
    response = _client(world.borrower).get(reverse("web:statements"))
    assert response.status_code == 200
    codes = [p.code for p in response.context["periods"]]
    assert codes[:2] == ["2026-04", "2026-03"] and "2026-02" not in codes
    assert response.context["chosen"] == "2026-04"


def test_page_refuses_open_and_bad_periods_with_a_message(world):
    c = _client(world.investor)
    for period in ("2026-05", "2026-13", "2025"):
        response = c.get(reverse("web:statements"), {"period": period})
        assert response.status_code == 400 and response.context["error"]


def test_prepare_then_download(world):
    c = _client(world.investor)
    response = c.post(reverse("web:statement_prepare"), {"period": "2026-04", "format": "xlsx"})
    assert response.status_code == 302 and response["Location"].endswith("?period=2026-04")
    statement = Statement.objects.get()
    page = c.get(response["Location"]).content.decode()
    assert reverse("web:statement_download", args=[statement.pk]) in page
    download = c.get(reverse("web:statement_download", args=[statement.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download["Content-Disposition"] == (
        f'attachment; filename="statement_2026-04_member-{world.investor.pk}.xlsx"')
    assert download.content == bytes(statement.content)


def test_prepare_refusals_are_messages(world):
    c = _client(world.investor)
    response = c.post(reverse("web:statement_prepare"), {"period": "2026-05", "format": "pdf"}, follow=True)
    assert any("not over yet" in str(m) for m in response.context["messages"])
    assert not Statement.objects.exists()


def test_download_owner_and_staff_only(world):
    statement = services.generate(world.investor, parse_period("2026-04"), "pdf").statement
    url = reverse("web:statement_download", args=[statement.pk])
    assert _client(world.investor).get(url)["Content-Type"] == "application/pdf"
    for role in ("operator", "compliance", "admin"):
        assert _client(make_staff(role)).get(url).status_code == 200
    for someone in (world.other, world.borrower, make_staff("risk_officer"), make_staff("regulator")):
        assert _client(someone).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page
    assert _client(world.investor).get(reverse("web:statement_download", args=[999999])).status_code == 404


def test_staff_have_no_statements_page(world):
    assert _client(make_staff("operator")).get(reverse("web:statements")).status_code == 404
    assert _client(make_staff("operator")).post(reverse("web:statement_prepare"), {
        "period": "2026-04", "format": "pdf"}).status_code == 404


def test_borrower_menu_has_statements(world):
    html = _client(world.borrower).get(reverse("web:dashboard")).content.decode()
    assert html.count(reverse("web:statements")) == 1


def test_page_in_chinese(world):
    response = _client(world.investor).get(reverse("web:statements"), {"period": "2026-03"},
                                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "充值" in response.content.decode()
