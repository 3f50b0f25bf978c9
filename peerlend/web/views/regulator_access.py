"""The regulator's pages share one gate: GET only, the regulator role only, and one access-log row per read.

A refused method (405) or role (403) reads nothing and logs nothing; an authorised read is logged
whatever its answer (200, a 400 on bad filters, a 404), with its filters and, for an unmasked
member file, the justification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from peerlend.compliance.regulator.access import is_regulator, record_access

# Query parameters that are not filters: the justification is logged in its own column.
_NOT_FILTERS = frozenset({"reason", "csrfmiddlewaretoken"})


@dataclass
class AccessNote:
    """What the view read, for the log row; a view may change the action, target and reason."""

    action: str
    target: tuple[str, str] | None = None
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)


RegulatorView = Callable[..., HttpResponse]


def regulator_read(action: str) -> Callable[[RegulatorView], Callable[..., HttpResponse]]:
    """Wrap a regulator page: ``view(request, note, **kwargs)``; the row is written after the view answers."""

    def decorate(view: RegulatorView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET":
                return HttpResponseNotAllowed(["GET"])
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_regulator(request.user):
                raise DjangoPermissionDenied(_("Only the regulator may open the regulator console."))
            note = AccessNote(action=action)
            status = 500
            try:
                response = view(request, note, *args, **kwargs)
                status = response.status_code
                return response
            except Http404:
                status = 404
                raise
            finally:
                filters = {k: v for k, v in request.GET.items() if k not in _NOT_FILTERS}
                record_access(actor=request.user, action=note.action, path=request.path,
                              filters={**filters, **note.extra}, target=note.target, reason=note.reason,
                              status_code=status)

        return wrapper

    return decorate
