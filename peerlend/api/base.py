from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from peerlend.domain.money import parse_amount_minor
from peerlend.errors import ApplicationError


def money_field_minor(value: object, field: str = "amount") -> int:
    """A positive amount sent as a major-unit decimal string ("100.00") -> minor units; 400 otherwise.

    The one parser for amounts in request bodies: JSON numbers are refused (they may be floats).
    """
    if not isinstance(value, str):
        raise ApplicationError(
            f"{field}: " + _("amount must be a decimal string in major units, e.g. \"100.00\" (not a JSON number)"),
            code="invalid_amount",
        )
    try:
        return parse_amount_minor(value)
    except ValueError as exc:
        raise ApplicationError(f"{field}: " + _("invalid amount: %(why)s") % {"why": exc},
                               code="invalid_amount") from None


api = NinjaAPI(title="peerlend API", version="1", urls_namespace="api")


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "invalid request", "errors": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "authentication required", "code": "unauthorized"}, status=401)


@api.get("/health", tags=["meta"])
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
