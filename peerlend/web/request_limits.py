"""Request bodies over the limit get a clear 413 before anything reads them, on every route.

Limits (settings):
- ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (1 MB): any body, JSON and forms alike, and every body under /api/
  (the API takes no file uploads but the borrower's requested documents, ``UPLOAD_API``);
- ``PEERLEND_MAX_UPLOAD_BYTES`` (12 MB): a ``multipart/form-data`` page form, which may carry
  documents (each at most 5 MB, two per offline application) or a custody statement.

The declared ``Content-Length`` is checked up front; Django then reads at most that many bytes
(its ``LimitedStream``), so no body longer than the limit is ever read. A limit Django meets
while parsing a form in a view (``RequestDataTooBig``: the non-file fields of a multipart form
over 1 MB; too many fields) is answered here too, as a 413 or 400 rather than a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from peerlend.web.errors import error_response, refusal, wants_json

DEFAULT_BODY_LIMIT = 1024 * 1024
DEFAULT_UPLOAD_LIMIT = 12 * 1024 * 1024
# The one API route that takes files: a borrower's requested documents (two at most, 5 MB each).
UPLOAD_API = re.compile(r"^/api/loans/\d+/documents$")


def body_limit(request: HttpRequest) -> int:
    """The largest body ``request`` may carry, in bytes."""
    limit = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or DEFAULT_BODY_LIMIT)
    if request.content_type == "multipart/form-data" and (not wants_json(request) or UPLOAD_API.match(request.path)):
        return max(limit, int(getattr(settings, "PEERLEND_MAX_UPLOAD_BYTES", DEFAULT_UPLOAD_LIMIT)))
    return limit


class RequestSizeLimitMiddleware:
    """Early in MIDDLEWARE: before any middleware or view reads ``request.POST`` or ``request.body``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = (request.META.get("CONTENT_LENGTH") or "").strip()
        if declared and not declared.isdigit():
            return error_response(request, 400, "bad_request", _("The Content-Length header is not a number."))
        limit = body_limit(request)
        if declared and int(declared) > limit:
            return error_response(
                request, 413, "payload_too_large",
                _("The request body is larger than %(n)d bytes.") % {"n": limit},
            )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
            return error_response(request, *refusal(exception))
        return None
