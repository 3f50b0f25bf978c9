from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from peerlend.amount_input import parse_amount_input
from peerlend.api import docs_access
from peerlend.api.contract import ContractAPI, http_error
from peerlend.errors import ApplicationError


def money_field_minor(value: object, field: str = "amount") -> int:
    """A positive amount sent as a major-unit decimal string ("100.00") -> minor units; 400 otherwise.

    The syntax and the refusal are those of every form (``peerlend.amount_input``); JSON numbers
    are refused (they may be floats).
    """
    return parse_amount_input(value, field=field)


# The docs and the OpenAPI document are public, staff-only or off: see docs_access (PEERLEND_API_DOCS).
api = ContractAPI(title="peerlend API", version="1", urls_namespace="api", docs_decorator=docs_access.guard)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "invalid request", "code": "invalid_request", "errors": exc.errors},
                               status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return http_error(api, request, exc)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "not found", "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "authentication required", "code": "unauthorized"}, status=401)


@api.get("/health", tags=["meta"])
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
