from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

api = NinjaAPI(title="peerlend API", version="1", urls_namespace="api")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "invalid request", "errors": exc.errors}, status=422)


@api.get("/health", tags=["meta"])
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
