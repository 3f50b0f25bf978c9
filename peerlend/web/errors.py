"""Error answers of the whole site: JSON ``{detail, code}`` under /api/, a page elsewhere.

``peerlend/urls.py`` names these as Django's handler400/403/404/500, and the request-size
middleware and the API use :func:`refusal` for a request Django itself refuses (a body over
the limit, too many fields). No answer here carries a traceback or an exception's text
beyond the message meant for the user; the 500 page renders without the request's context,
so a broken context processor or template cannot turn it into a second error.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("peerlend.web")

API_PREFIX = "/api/"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def refusal(exc: BaseException) -> tuple[int, str, str]:
    """(status, code, message) for a request Django refused while reading it."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "payload_too_large", _("The request body is too large.")
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return 400, "too_many_fields", _("The request has too many fields or files.")
    return 400, "bad_request", _("The request could not be understood.")


def error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """A 4xx in the shape the caller reads: JSON for the API, the error page for browsers."""
    if wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, "web/errors/error.html", {"status": status, "message": message}, status=status)


def _user_message(exception: BaseException | None) -> str:
    """The exception's text when a view wrote one for the user (not Django's resolver details)."""
    if exception is None or not exception.args:
        return ""
    first = exception.args[0]
    return str(first) if isinstance(first, str) else ""


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if isinstance(exception, SuspiciousOperation):
        return error_response(request, *refusal(exception))
    return error_response(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    message = _user_message(exception) or _("You are not allowed to do this.")
    return error_response(request, 403, "forbidden", message)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    message = _user_message(exception) or _("There is no such page.")
    return error_response(request, 404, "not_found", message)


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side. Please try again later.")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "server_error"}, status=500)
    # No request context: the page must render even when what failed was the context itself.
    return HttpResponse(loader.get_template("web/errors/500.html").render({"message": message}), status=500)
