"""Remember each member's page language, so messages sent outside a page (reminders) use it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from peerlend.accounts.models import User


class RememberLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: store the request's language on the
    signed-in user when it changed (one UPDATE per change, none on ordinary page views)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(request, "LANGUAGE_CODE", "")
        if user is not None and user.is_authenticated and language and user.language != language:
            User.objects.filter(pk=user.pk).update(language=language)
            user.language = language
        return self.get_response(request)
