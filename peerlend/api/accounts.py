"""API routes of the accounts context (thin: parse, call a service or selector, shape the answer)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from peerlend.accounts import selectors, services
from peerlend.accounts.models import User
from peerlend.api.auth import api_auth, issue_token, revoke_token
from peerlend.errors import ApplicationError

router = Router(tags=["accounts"])


class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    email: str = Field("", max_length=254)


class RegisterOut(Schema):
    id: int
    username: str


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)


class TokenOut(Schema):
    token: str


class KycIn(Schema):
    real_name: str = Field(..., max_length=64)
    resident_id: str = Field(..., max_length=32)
    mobile: str = Field(..., max_length=32)
    bank_card: str = Field(..., max_length=32)


class IdentityOut(Schema):
    real_name: str
    resident_id: str
    mobile: str
    bank_card: str
    channel: str
    service_point: str | None
    verified_by: str | None
    verified_at: Any


class MeOut(Schema):
    id: int
    username: str
    email: str
    roles: list[str]
    channel: str
    kyc_verified: bool
    identity: IdentityOut | None


class Detail(Schema):
    detail: str
    code: str


@router.post("/auth/register", response={201: RegisterOut, 400: Detail, 409: Detail}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """Create a member (roles investor + borrower). Log in with ``POST /api/auth/token``."""
    user = services.register_member(username=payload.username, password=payload.password, email=payload.email)
    return Status(201, user)


@router.post("/auth/token", response={200: TokenOut, 401: Detail, 429: Detail}, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> Status:
    """Exchange username + password for a bearer token. Repeated failures lock out (429)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # AxesMiddleware turns this into the 429 lockout answer as well.
        raise ApplicationError(_("Too many failed log-in attempts: try again later."), code="locked_out",
                               status=429)
    if user is None:
        raise ApplicationError(_("invalid username or password"), code="invalid_credentials", status=401)
    return Status(200, {"token": issue_token(user)})


@router.post("/auth/token/revoke", response={204: None}, auth=api_auth)
def revoke(request: HttpRequest) -> Status:
    """Revoke the bearer token used for this request (log out of the API)."""
    revoke_token(request)
    return Status(204, None)


def _me(user: User) -> dict[str, Any]:
    identity = selectors.masked_identity(user)
    return {
        "id": user.pk, "username": user.username, "email": user.email, "roles": list(user.roles or []),
        "channel": user.channel, "kyc_verified": identity is not None, "identity": identity,
    }


@router.get("/me", response=MeOut, auth=api_auth)
def me(request: HttpRequest) -> dict[str, Any]:
    """The caller: roles, KYC status and the masked identity (never the plaintext)."""
    return _me(request.user)  # type: ignore[arg-type]


@router.post("/kyc", response={201: IdentityOut, 400: Detail, 409: Detail}, auth=api_auth)
def kyc(request: HttpRequest, payload: KycIn) -> Status:
    """Real-name verification (online). Answers with the masked identity."""
    user: User = request.user  # type: ignore[assignment]
    services.verify_identity(user, real_name=payload.real_name, resident_id=payload.resident_id,
                             mobile=payload.mobile, bank_card=payload.bank_card)
    return Status(201, selectors.masked_identity(user))
