"""The member's statements: the figures of a closed period, "prepare" (POST) and download (owner and staff).

A GET only reads: the page computes the chosen period's figures from the books to show them, and a
download serves a stored file. Files are rendered and stored only by the "prepare" POST (or the
``peerlend statements`` command).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.ledger.models_statements import StatementFormat
from peerlend.ledger.statements import selectors, services
from peerlend.ledger.statements.build import build_statement
from peerlend.ledger.statements.layout import layout
from peerlend.ledger.statements.periods import check_closed, parse_period

MEMBER_ROLES = ("borrower", "investor")


def _require_member(user: Any) -> None:
    # Staff hold no money of their own: they reach a member's stored statement by its download link only.
    if not set(getattr(user, "roles", None) or []).intersection(MEMBER_ROLES):
        raise Http404(_("Statements are kept for members."))


@login_required
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    member = request.user
    _require_member(member)
    today = business_date()
    periods = selectors.closed_periods(services.joined_on(member), today)
    chosen_text = request.GET.get("period") or (periods[0].code if periods else "")
    context: dict[str, Any] = {"periods": periods, "chosen": chosen_text, "formats": StatementFormat.choices,
                               "statements": selectors.statements_of(member), "error": ""}
    if chosen_text:
        try:
            period = parse_period(chosen_text)
            check_closed(period, today, services.joined_on(member))
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            data = build_statement(member, period)
            stored = selectors.stored_index(member)
            context.update({
                "data": data, "doc": layout(data), "period": period,
                "files": [(value, name, stored.get((period.kind, period.code, value)))
                          for value, name in StatementFormat.choices],
            })
    return render(request, "web/statements/list.html", context, status=400 if context["error"] else 200)


@login_required
@require_POST
def statement_prepare(request: HttpRequest) -> HttpResponse:
    member = request.user
    _require_member(member)
    period_text = request.POST.get("period", "")
    try:
        outcome = services.request_statement(member, period_text, request.POST.get("format", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:statements"))
    statement = outcome.statement
    if outcome.created:
        messages.success(request, _("Your %(format)s statement for %(period)s is ready to download.")
                         % {"format": statement.get_format_display(), "period": selectors.period_code(statement)})
    else:
        messages.info(request, _("This statement was already prepared: download it below."))
    return redirect(reverse("web:statements") + "?" + urlencode({"period": selectors.period_code(statement)}))


@login_required
@require_GET
def statement_download(request: HttpRequest, statement_id: int) -> HttpResponse:
    try:
        statement = selectors.statement_for(request.user, statement_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(bytes(statement.content), content_type=selectors.CONTENT_TYPES[statement.format])
    response["Content-Disposition"] = f'attachment; filename="{selectors.file_name(statement)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
