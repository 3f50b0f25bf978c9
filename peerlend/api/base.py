from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from peerlend.errors import ApplicationError

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
