"""API routes of the investing context: statements (thin: parse, call a service or selector, shape the answer).

``POST /api/investing/statements`` prepares (renders and stores) the caller's statement for a closed
period in one format: 201 when it was prepared now, 200 when the same statement was already stored.
``GET`` lists the caller's stored statements and downloads one (the owner, or operations, compliance
and administrator staff); a GET never renders or stores anything.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.api.ledger import read_json_object
from peerlend.errors import NotFound
from peerlend.ledger.models_statements import Statement
from peerlend.ledger.statements import selectors, services

router = Router(tags=["investing"])

MEMBER_ROLES = ("borrower", "investor")


class StatementIn(Schema):
    period: str = Field(..., description='a closed month "YYYY-MM" or a closed year "YYYY" (business date); '
                                         "not before the member joined", examples=["2026-04", "2025"])
    format: str = Field(..., description="csv (UTF-8 with BOM), xlsx or pdf", examples=["pdf"])


class StatementOut(Schema):
    id: int
    period: str
    period_kind: str
    format: str
    size: int
    sha256: str
    language: str
    generator_version: int
    created_at: str
    download_url: str


def statement_body(request: HttpRequest, statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "period": selectors.period_code(statement),
        "period_kind": statement.period_kind,
        "format": statement.format,
        "size": statement.size,
        "sha256": statement.sha256,
        "language": statement.language,
        "generator_version": statement.generator_version,
        "created_at": statement.created_at.isoformat(),
        "download_url": request.build_absolute_uri(reverse("api:download_statement", args=[statement.pk])),
    }


def _require_member(user: Any) -> None:
    if not set(getattr(user, "roles", None) or []).intersection(MEMBER_ROLES):
        raise NotFound(_("Statements are kept for members."), code="not_a_member")


@router.post("/investing/statements", auth=api_auth, summary="Prepare a statement for a closed period",
             response={200: StatementOut, 201: StatementOut, API_ERRORS: ApiError},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": StatementIn.model_json_schema()}}}})
def create_statement(request: HttpRequest) -> HttpResponse:
    _require_member(request.user)
    data = read_json_object(request)
    outcome = services.request_statement(request.user, data.get("period"), data.get("format"))
    return JsonResponse(statement_body(request, outcome.statement), status=201 if outcome.created else 200)


@router.get("/investing/statements", auth=api_auth, summary="The caller's prepared statements, newest first",
            response={200: list[StatementOut], API_ERRORS: ApiError})
def list_statements(request: HttpRequest) -> HttpResponse:
    rows = [statement_body(request, s) for s in selectors.statements_of(request.user)[:500]]
    return JsonResponse(rows, safe=False)


@router.get("/investing/statements/{statement_id}/download", auth=api_auth,
            summary="Download a prepared statement (its owner, or operations, compliance and admin staff)",
            response={200: None, API_ERRORS: ApiError})
def download_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_for(request.user, statement_id)
    response = HttpResponse(bytes(statement.content), content_type=selectors.CONTENT_TYPES[statement.format])
    response["Content-Disposition"] = f'attachment; filename="{selectors.file_name(statement)}"'
    response["Cache-Control"] = "private, no-store"
    return response
