"""Each member's language, remembered for the messages sent outside a page (reminders, e-mail, SMS).

Pages follow the browser (the language switch's cookie, then Accept-Language), as LocaleMiddleware
decides. The member's stored language is the one of their latest action: it is written only by
requests that change something (a read writes nothing): the language switch, a log-in, a form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from peerlend.accounts.models import User

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _supported(language: str) -> str | None:
    """``language`` as one of ``LANGUAGES`` (``zh-Hans`` → ``zh-hans``), or None if it is not offered."""
    if not language:
        return None
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return None


class RememberLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in _SAFE_METHODS:
            self._remember(request, response)
        return response

    @staticmethod
    def _remember(request: HttpRequest, response: HttpResponse) -> None:
        user = getattr(request, "user", None)  # a log-in sets it during the request
        if user is None or not user.is_authenticated:
            return
        cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        # The language switch answers with the member's choice; any other action was read in this one.
        chosen = _supported(cookie.value if cookie is not None else getattr(request, "LANGUAGE_CODE", ""))
        if chosen and chosen != user.language:
            User.objects.filter(pk=user.pk).update(language=chosen)
            user.language = chosen
