"""The home page: what the platform is, and its headline figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peerlend.lending.selectors import market_summary


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": market_summary()})
