"""The API's error contract: one error shape, and an OpenAPI document that lists what the framework answers.

Every 4xx body is ``{"detail": ..., "code": ...}`` (validation errors add ``errors``). Routes
declare their own success and refusal codes; the answers that come from the framework for
any route are added to the document here, so that no route can forget them:

- 401 and 403 (role, ownership; CSRF on a session's writes) on every route that needs authentication;
- 400 (malformed JSON) on every route with a body, 422 (validation) on every route with input;
- 404 on every route with a path parameter.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

# Every status an ApplicationError can carry: routes that answer with ``Status`` declare these.
API_ERRORS = frozenset({400, 401, 403, 404, 409, 413, 422, 429})

HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "throttled",
}


class ApiError(Schema):
    detail: str
    code: str


class ApiValidationError(Schema):
    detail: str
    code: str
    errors: list[dict[str, Any]]


_STANDARD = {
    400: ("ApiError", "Malformed request body"),
    401: ("ApiError", "Authentication required, or the bearer token expired (code token_expired)"),
    403: ("ApiError", "Forbidden: role, ownership, or a session write without its CSRF token"),
    404: ("ApiError", "Not found"),
    422: ("ApiValidationError", "Invalid request"),
}


def http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own errors (unparsable body, ...) in the shared shape."""
    detail = str(exc)
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        code = "malformed_json"
    return api.create_response(request, {"detail": detail, "code": code}, status=exc.status_code)


def _component(name: str) -> dict[str, Any]:
    model = {"ApiError": ApiError, "ApiValidationError": ApiValidationError}[name]
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


def add_standard_errors(schema: dict[str, Any]) -> None:
    """Add the framework's answers (see the module docstring) to every operation that lacks them."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("ApiError", "ApiValidationError"):
        components.setdefault(name, _component(name))
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            params = op.get("parameters", [])
            wanted: set[int] = set()
            if op.get("security"):
                wanted |= {401, 403}
            if "requestBody" in op:
                wanted |= {400, 422}
            if params:
                wanted.add(422)
            if any(p.get("in") == "path" for p in params):
                wanted.add(404)
            responses = op["responses"]
            for status in sorted(wanted):
                if status in responses or str(status) in responses:
                    continue
                name, description = _STANDARD[status]
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                }


class ContractAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also lists the framework's error answers."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_standard_errors(schema)
        return schema
