"""The portfolio charts: SVG images of the signed-in investor's own notes (thin: selectors and charts decide).

Each chart is drawn on request from the books and never stored (a GET writes nothing). The answer is
``private``: no shared cache keeps it (the security-headers middleware adds ``no-store`` for signed-in users).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.investing import charts
from peerlend.investing.cash_flows import monthly_cash_flows
from peerlend.investing.chart_data import allocation_by_grade, status_mix


def _svg(request: HttpRequest, build: Callable[[User], bytes]) -> HttpResponse:
    user = request.user
    if not user.has_role(Role.INVESTOR):  # type: ignore[union-attr]
        raise DjangoPermissionDenied(_("This page is for investors."))
    response = HttpResponse(build(user), content_type="image/svg+xml")  # type: ignore[arg-type]
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    # Opened on its own, the image may run nothing and load nothing (matplotlib writes no script).
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def cash_flow_chart(request: HttpRequest) -> HttpResponse:
    return _svg(request, lambda investor: charts.cash_flow_chart(monthly_cash_flows(investor)))


@login_required
@require_GET
def returns_chart(request: HttpRequest) -> HttpResponse:
    return _svg(request, lambda investor: charts.returns_chart(monthly_cash_flows(investor)))


@login_required
@require_GET
def status_chart(request: HttpRequest) -> HttpResponse:
    return _svg(request, lambda investor: charts.status_mix_chart(status_mix(investor, business_date())))


@login_required
@require_GET
def grade_chart(request: HttpRequest) -> HttpResponse:
    return _svg(request, lambda investor: charts.grade_chart(allocation_by_grade(investor)))
