"""API routes of the accounts context (thin: parse, call a service or selector, shape the answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from peerlend.accounts import selectors, services, terms, tokens, twofactor
from peerlend.accounts.kyc import KYC_UNDER_REVIEW
from peerlend.accounts.models import ApiToken, IdentityReview, User
from peerlend.api.auth import BearerAuth, api_auth, bearer_value, revoke_token
from peerlend.api.contract import ApiError
from peerlend.errors import ApplicationError
from peerlend.marketing.referrals import signup as referral_signup
from peerlend.marketing.referrals.devices import device_hash

router = Router(tags=["accounts"])


class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    email: str = Field("", max_length=254)
    accept_terms: bool = Field(
        False, description="the member accepts the current terms of service and privacy notice (/terms, /privacy); "
                           "registration is refused (400 terms_not_accepted) without it")
    referral_code: str = Field("", max_length=16, description="optional: a member's referral code "
                                                              "(400 unknown_referral_code when nobody holds it)")


class TermsAcceptanceOut(Schema):
    document: Literal["terms", "privacy"]
    version: str
    accepted_at: datetime


class RegisterOut(Schema):
    id: int
    username: str
    terms_accepted: list[TermsAcceptanceOut] = Field(..., description="what the member accepted, and when")


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    otp: str | None = Field(None, max_length=32, description="staff: a code from the authenticator app (2FA)")


class TokenOut(Schema):
    token: str
    expires_at: datetime


class TokenInfo(Schema):
    """One of the caller's tokens; never its secret."""

    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked: bool
    current: bool = Field(..., description="the token that made this request")


class KycIn(Schema):
    kind: Literal["person", "company"] = Field(
        "person", description="company: real_name and resident_id are the legal representative's")
    real_name: str = Field(..., max_length=64)
    resident_id: str = Field(..., max_length=32)
    mobile: str = Field(..., max_length=32)
    bank_card: str = Field(..., max_length=32)
    company_name: str = Field("", max_length=120, description="company only: the registered name")
    credit_code: str = Field("", max_length=32, description="company only: unified social credit code (18)")


class KycReviewOut(Schema):
    status: Literal["under_review"]
    detail: str


class IdentityOut(Schema):
    kind: str = "person"
    company_name: str = ""
    credit_code: str = ""
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


@router.post("/auth/register", response={201: RegisterOut, 400: ApiError, 409: ApiError}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """Create a member (roles investor + borrower) who accepts the current terms of service and privacy
    notice (``accept_terms``; 400 ``terms_not_accepted`` otherwise). Log in with ``POST /api/auth/token``."""
    with transaction.atomic():  # the referral (issue 15 part 4) is written with the registration, or neither
        user = services.register_member(username=payload.username, password=payload.password,
                                         email=payload.email, accepted_terms=payload.accept_terms)
        if payload.referral_code.strip():
            referral_signup.record_signup(user, code=payload.referral_code, device_hash=device_hash(
                request.META.get("HTTP_USER_AGENT", ""), request.META.get("REMOTE_ADDR", "")))
    return Status(201, {"id": user.pk, "username": user.username, "terms_accepted": terms.accepted_current(user)})


@router.post("/auth/token", response={200: TokenOut, 401: ApiError, 403: ApiError, 429: ApiError}, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> Status:
    """Exchange username + password for a bearer token (it expires; see ``/auth/token/refresh``).

    Repeated failures for one username, or many failures from one address, lock out (429).
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # AxesMiddleware turns this into the 429 lockout answer as well.
        raise ApplicationError(_("Too many failed log-in attempts: try again later."), code="locked_out",
                               status=429)
    if user is None:
        raise ApplicationError(_("invalid username or password"), code="invalid_credentials", status=401)
    # Staff need their second factor here too (403 otp_required / otp_invalid).
    twofactor.check_token_request(user, payload.otp)
    issued = tokens.issue(user)
    return Status(200, {"token": issued.raw, "expires_at": issued.token.expires_at})


@router.post("/auth/token/revoke", response={204: None}, auth=api_auth)
def revoke(request: HttpRequest) -> Status:
    """Revoke the bearer token used for this request (log out of the API)."""
    revoke_token(request)
    return Status(204, None)


@router.post("/auth/token/refresh", response={200: TokenOut}, auth=BearerAuth())
def refresh(request: HttpRequest) -> Status:
    """Swap the (unexpired) bearer token of this request for a new one; the old one is revoked."""
    issued = tokens.refresh(bearer_value(request) or "")
    return Status(200, {"token": issued.raw, "expires_at": issued.token.expires_at})


def _token_info(row: ApiToken, request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "api_token", None)
    return {"id": row.pk, "created_at": row.created_at, "last_used_at": row.last_used_at,
            "expires_at": row.expires_at, "revoked": row.revoked,
            "current": current is not None and current.pk == row.pk}


@router.get("/auth/tokens", response=list[TokenInfo], auth=api_auth)
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's API tokens, newest first (revoke those you do not recognise)."""
    return [_token_info(row, request) for row in tokens.tokens_of(request.user)[:200]]  # type: ignore[arg-type]


@router.post("/auth/tokens/{token_id}/revoke", response={200: TokenInfo}, auth=api_auth)
def revoke_by_id(request: HttpRequest, token_id: int) -> Status:
    """Revoke one of the caller's tokens; another member's token is not found (404)."""
    row = tokens.revoke(request.user, token_id)  # type: ignore[arg-type]
    return Status(200, _token_info(row, request))


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


@router.post("/kyc", response={201: IdentityOut, 202: KycReviewOut, 400: ApiError, 409: ApiError, 429: ApiError},
             auth=api_auth)
def kyc(request: HttpRequest, payload: KycIn) -> Status:
    """Real-name verification (online), as a person or as a company (with its legal representative).

    201 with the masked identity when verified; 202 when the submission goes to staff review (the
    answer does not say why). 409 when the account is verified or under review, or the bank card
    cannot be used; 429 past ``KYC_ATTEMPTS_PER_DAY`` submissions within 24 hours.
    """
    user: User = request.user  # type: ignore[assignment]
    result = services.submit_identity(
        user, kind=payload.kind, real_name=payload.real_name, resident_id=payload.resident_id,
        mobile=payload.mobile, bank_card=payload.bank_card, company_name=payload.company_name,
        credit_code=payload.credit_code,
    )
    if isinstance(result, IdentityReview):
        return Status(202, {"status": "under_review", "detail": str(KYC_UNDER_REVIEW)})
    return Status(201, selectors.masked_identity(user))
