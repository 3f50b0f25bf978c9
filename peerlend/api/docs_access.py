"""Who may read ``/api/docs`` and ``/api/openapi.json``: setting ``PEERLEND_API_DOCS``.

``public`` (development default), ``staff`` (production default: a staff session or a staff bearer
token) or ``off`` (404). Read on every request, so a test or a deployment can switch it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from peerlend.accounts.twofactor import is_staff_user
from peerlend.errors import ApplicationError


def _caller(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    from peerlend.api.auth import BearerAuth  # the auth module imports the API base: import late

    try:
        return BearerAuth()(request)
    except ApplicationError:  # an expired token is no caller
        return None


def guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """django-ninja's ``docs_decorator``: wraps both the docs page and the OpenAPI document."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        mode = getattr(settings, "PEERLEND_API_DOCS", "public")
        if mode == "off":
            return JsonResponse({"detail": _("not found"), "code": "not_found"}, status=404)
        if mode != "public":
            user = _caller(request)
            if user is None:
                return JsonResponse({"detail": _("authentication required"), "code": "unauthorized"}, status=401)
            if not is_staff_user(user):
                return JsonResponse({"detail": _("The API documentation is for staff."), "code": "forbidden"},
                                    status=403)
        return view(request, *args, **kwargs)

    return guarded
