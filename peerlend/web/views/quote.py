"""Quote pages: the borrower's quote box on the apply page, and the public fee schedule (reads only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peerlend.errors import ApplicationError
from peerlend.lending import quote


@require_GET
def apply_quote(request: HttpRequest) -> HttpResponse:
    """The quote box for the amount, term and method typed (htmx fragment; a GET, so it never writes).

    Public like the fee schedule: it reads no account and scores nothing (see lending.quote).
    Input out of range is a 400 with the reason in the box (site.js swaps it in).
    """
    try:
        result = quote.apply_quote(quote.parse_quote_request(request.GET))
    except ApplicationError as exc:
        return render(request, "web/lending/_quote_box.html", {"quote_error": exc.message}, status=exc.status)
    return render(request, "web/lending/_quote_box.html", {"quote": result})


@require_GET
def fees(request: HttpRequest) -> HttpResponse:
    return render(request, "web/lending/fees.html", {"fees": quote.fee_schedule(),
                                                      "quote_grades": quote.QUOTE_GRADES})


def quote_context(params: Mapping[str, str]) -> dict[str, Any]:
    """The quote box's context for a full page render (the apply form sent back, or a plain GET)."""
    if not params.get("amount"):
        return {}
    try:
        return {"quote": quote.apply_quote(quote.parse_quote_request(params))}
    except ApplicationError as exc:
        return {"quote_error": exc.message}
