"""Each member's language: remembered where they choose it, shown on every device they sign in on.

The language of messages sent outside a page (reminders) is the member's stored one. It is stored
only by requests that change something (a read writes nothing): the language switch, and a log-in
of a member who never chose (the language the log-in page was shown in). On every page a signed-in
member with a stored language sees it, whatever the browser's cookie or Accept-Language say, so a
choice made on the phone follows them to the laptop.
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
        user = getattr(request, "user", None)
        stored = _supported(user.language) if user is not None and user.is_authenticated else None
        if stored and stored != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(stored)
            request.LANGUAGE_CODE = stored
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
        if cookie is not None:  # the language switch answered with the member's choice
            chosen = _supported(cookie.value)
        elif not user.language:  # never chose: the language they were reading in
            chosen = _supported(getattr(request, "LANGUAGE_CODE", ""))
        else:
            return
        if chosen and chosen != user.language:
            User.objects.filter(pk=user.pk).update(language=chosen)
            user.language = chosen
