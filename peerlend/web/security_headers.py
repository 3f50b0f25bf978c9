"""Response headers that Django's SecurityMiddleware and django-csp do not set.

- ``Permissions-Policy``: the pages use no camera, microphone, location, payment or USB APIs.
- ``Cache-Control: no-store`` on every answer that may carry money or personal data: anything
  answered to a logged-in user or a bearer token (pages and JSON alike), and the login pages.
  Static files never reach this middleware (whitenoise answers them first) and stay cacheable;
  anonymous public pages may be cached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

# Pages that take a password (browsers and proxies must not keep a copy of the form or its answer).
_CREDENTIAL_VIEWS = frozenset({"web:login", "admin:login"})


def _is_private(request: HttpRequest) -> bool:
    if request.headers.get("Authorization"):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in _CREDENTIAL_VIEWS


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "PEERLEND_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        if _is_private(request):
            add_never_cache_headers(response)
        return response
