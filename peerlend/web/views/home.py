"""Public pages: the home page (the marketplace as it is now) and the help/FAQ page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from peerlend.investing.selectors import platform_overdue
from peerlend.lending.selectors import MarketFilter, market_summary, marketplace

OPEN_LOANS_SHOWN = 6


def _url_or_none(name: str) -> str | None:
    """A page's URL when that page is installed (the home page must not break without it)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home(request: HttpRequest) -> HttpResponse:
    newest = MarketFilter.from_query({"sort": "newest"})
    return render(request, "web/home.html", {
        "summary": market_summary(),
        "open_loans": list(marketplace(newest)[:OPEN_LOANS_SHOWN]),
        "overdue": platform_overdue(),
        "fees_url": _url_or_none("web:fees"),
    })


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help.html", {"fees_url": _url_or_none("web:fees")})
