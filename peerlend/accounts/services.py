"""Use cases of the accounts context that change state; each is atomic.

Registration gives a new member the roles ``investor`` and ``borrower`` (DEFAULT_MEMBER_ROLES):
one person may both lend and borrow, and KYC still gates every money action. Staff roles are
granted only by ``grant_role`` (admin or operator), which writes an audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peerlend.accounts import kyc, passwords, terms
from peerlend.accounts.kyc import RESIDENT_ID_INDEX, resident_id_index  # noqa: F401  (callers import them here)
from peerlend.accounts.models import (
    DEFAULT_MEMBER_ROLES,
    PII_FIELDS,
    AgentMembership,
    Channel,
    Identity,
    IdentityKind,
    IdentityReview,
    Role,
    ServicePoint,
    User,
)
from peerlend.accounts.selectors import active_points_of, is_kyc_verified
from peerlend.clock import business_date
from peerlend.compliance.crypto import is_current_key, rotate_pii
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, Conflict, PermissionDenied

# Which roles each staff role may hand out. Admin: all; operator: front-line roles only.
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Role.values),
    Role.OPERATOR: frozenset({Role.AGENT, Role.COLLECTIONS, Role.BORROWER, Role.INVESTOR}),
}


# -- guards other contexts call -------------------------------------------------------------------


def require_kyc(user: Any) -> None:
    """Refuse (403 ``kyc_required``) unless ``user`` passed real-name verification.

    Investing, borrowing, deposits and withdrawals call this first.
    """
    if not is_kyc_verified(user):
        raise kyc_required_error()


def kyc_required_error() -> PermissionDenied:
    """The refusal of :func:`require_kyc` (batch checks raise the same one)."""
    return PermissionDenied(_("complete real-name verification (KYC) first"), code="kyc_required")


def require_role(user: Any, *roles: str) -> None:
    """Refuse (403 ``forbidden_role``) unless ``user`` holds at least one of ``roles``."""
    held = set(getattr(user, "roles", None) or []) if getattr(user, "is_authenticated", False) else set()
    if not held.intersection(roles):
        raise PermissionDenied(
            _("this action needs one of the roles: %(roles)s") % {"roles": ", ".join(roles)},
            code="forbidden_role",
        )


def require_agent_point(agent: Any, service_point: ServicePoint | None = None) -> ServicePoint:
    """The active service point where ``agent`` acts; refuses non-agents and agents of no active point."""
    require_role(agent, Role.AGENT)
    points = list(active_points_of(agent))
    if service_point is not None:
        points = [p for p in points if p.pk == service_point.pk]
    if not points:
        raise PermissionDenied(
            _("you are not an agent of an active service point"), code="not_agent_of_point"
        )
    return points[0]


# -- registration ---------------------------------------------------------------------------------


def _validated_credentials(username: str, password: str | None, email: str) -> tuple[str, str]:
    username = (username or "").strip()
    if not username:
        raise ApplicationError(_("username is required"), code="invalid_username", extra={"field": "username"})
    if len(username) > 150:
        raise ApplicationError(_("username must have at most 150 characters"), code="invalid_username",
                               extra={"field": "username"})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="invalid_username", extra={"field": "username"}) from None
    email = (email or "").strip()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(_("enter a valid email address"), code="invalid_email",
                                   extra={"field": "email"}) from None
    if password is None:  # no password yet: the member chooses it through a one-time link
        return username, email
    try:
        validate_password(password or "", user=User(username=username, email=email))
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", extra={"field": "password"}) from None
    return username, email


def _create_member(username: str, password: str | None, email: str, **extra: Any) -> User:
    username, email = _validated_credentials(username, password, email)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("this username is already taken"), code="username_taken", extra={"field": "username"})
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username, email=email, password=password, roles=list(DEFAULT_MEMBER_ROLES),
                registered_on=business_date(), **extra
            )
    except IntegrityError:
        raise Conflict(_("this username is already taken"), code="username_taken",
                       extra={"field": "username"}) from None


@transaction.atomic
def register_member(*, username: str, password: str, email: str = "", accepted_terms: bool = False) -> User:
    """Online self-registration. The password is hashed with argon2 (settings.PASSWORD_HASHERS).

    ``accepted_terms``: the member accepted the current terms of service and privacy notice, recorded
    with their versions and the time (``accounts.terms``); without it the registration is refused
    (400 ``terms_not_accepted``), on the web and the API alike.
    """
    terms.require_accepted(accepted_terms)
    user = _create_member(username, password, email, channel=Channel.ONLINE)
    terms.record_acceptance(user)
    return user


@transaction.atomic
def register_member_offline(agent: User, *, username: str, email: str = "",
                            service_point: ServicePoint | None = None, send_link: bool = True) -> User:
    """An agent registers a member in person at their service point (channel ``offline``).

    The agent never sets or sees the password: the account starts with none usable, and the member
    chooses it through a one-time link sent by e-mail and SMS after commit (``passwords``). With
    ``send_link=False`` the caller sends it later in the same transaction, once the mobile number
    is on file (``register_and_verify_offline``).
    """
    point = require_agent_point(agent, service_point)
    user = _create_member(username, None, email, channel=Channel.OFFLINE, registered_by=agent,
                          registered_point=point)
    record_audit(actor=agent, action="accounts.member_registered_offline", target=user,
                 new={"username": user.username, "service_point": point.code, "channel": Channel.OFFLINE})
    if send_link:
        passwords.send_welcome_link(user)
    return user


# -- KYC (rules and writes in peerlend.accounts.kyc) -----------------------------------------------


def submit_identity(user: User, *, real_name: str, resident_id: str, mobile: str, bank_card: str,
                    kind: str = IdentityKind.PERSON, company_name: str = "", credit_code: str = "",
                    agent: User | None = None, service_point: ServicePoint | None = None,
                    today: dt.date | None = None) -> Identity | IdentityReview:
    """Real-name verification (KYC) of ``user`` as a person, or as a company with its legal representative.

    Online when ``agent`` is None (throttled: ``KYC_ATTEMPTS_PER_DAY``, 429 ``kyc_throttled``);
    offline (in person) when an agent of an active service point verifies it, and then the agent,
    the point and an audit event are recorded. Returns the new ``Identity``, or an ``IdentityReview``
    when the resident ID (company: credit code) already verifies another account: the caller tells
    the member only that the submission is under review. ``today`` defaults to the business date.
    """
    point: ServicePoint | None = None
    if agent is not None:
        point = require_agent_point(agent, service_point)
    elif service_point is not None:
        raise ApplicationError(_("an in-person verification needs the agent"), code="agent_required")
    kyc.refuse_if_done_or_pending(user)
    if agent is None:
        kyc.take_attempt(user)
    sub = kyc.clean_submission(kind=kind, real_name=real_name, resident_id=resident_id, mobile=mobile,
                               bank_card=bank_card, company_name=company_name, credit_code=credit_code,
                               today=today or business_date())
    return kyc.submit(user, sub, agent=agent, point=point, today=today or business_date())


def verify_identity(user: User, *, real_name: str, resident_id: str, mobile: str, bank_card: str,
                    kind: str = IdentityKind.PERSON, company_name: str = "", credit_code: str = "",
                    agent: User | None = None, service_point: ServicePoint | None = None,
                    today: dt.date | None = None) -> Identity:
    """``submit_identity`` for callers that expect a verified identity (seeds, scripts, tests).

    An identity already on the platform still opens a review, then this refuses (409
    ``identity_under_review``).
    """
    result = submit_identity(user, real_name=real_name, resident_id=resident_id, mobile=mobile,
                             bank_card=bank_card, kind=kind, company_name=company_name, credit_code=credit_code,
                             agent=agent, service_point=service_point, today=today)
    if isinstance(result, IdentityReview):
        raise Conflict(_("your verification is being reviewed by our staff; we will contact you"),
                       code="identity_under_review")
    return result


def close_identity_review(actor: User, review_id: int, resolution: str) -> IdentityReview:
    """Compliance staff close a KYC review (audited); the member may then submit again."""
    return kyc.close_review(actor, review_id, resolution)


@transaction.atomic
def rotate_pii_keys(batch_size: int = 500) -> int:
    """Re-encrypt every stored PII value under the newest key; returns the number of rows changed.

    Run after putting a new key first in ``PEERLEND_PII_KEY`` (old keys still listed); once it
    reports 0 the old keys may be removed. The blind index does not change.
    """
    changed = 0
    last_pk = 0
    while True:
        rows = list(Identity.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not rows:
            return changed
        for row in rows:
            stale = [f for f in PII_FIELDS if not is_current_key(getattr(row, f))]
            if stale:
                for f in stale:
                    setattr(row, f, rotate_pii(getattr(row, f)))
                row.save(update_fields=stale)
                changed += 1
        last_pk = rows[-1].pk


# -- staff administration -------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("a reason is required for the audit trail"), code="reason_required")
    return reason


def _check_grantor(actor: User, user: User, role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(_("unknown role %(role)s") % {"role": role}, code="unknown_role")
    allowed: set[str] = set()
    for held in actor.roles or []:
        allowed |= GRANTABLE_BY.get(held, frozenset())
    if not allowed:
        raise PermissionDenied(_("only an administrator or operator may change roles"), code="forbidden_role")
    if role not in allowed:
        raise PermissionDenied(_("you may not grant or revoke the role %(role)s") % {"role": role},
                               code="forbidden_role")
    if actor.pk == user.pk:
        raise PermissionDenied(_("nobody may change their own roles"), code="self_grant")


@transaction.atomic
def grant_role(actor: User, user: User, role: str, reason: str) -> User:
    """Give ``user`` the ``role`` (audited). Granting a role already held changes nothing."""
    reason = _require_reason(reason)
    _check_grantor(actor, user, role)
    locked = User.objects.select_for_update().get(pk=user.pk)
    old = list(locked.roles or [])
    if role in old:
        return locked
    locked.roles = [*old, role]
    locked.save(update_fields=["roles"])
    record_audit(actor=actor, action="accounts.role_granted", target=locked, old={"roles": old},
                 new={"roles": locked.roles}, reason=reason)
    user.roles = locked.roles
    return locked


@transaction.atomic
def revoke_role(actor: User, user: User, role: str, reason: str) -> User:
    """Take ``role`` from ``user`` (audited). Revoking a role not held changes nothing."""
    reason = _require_reason(reason)
    _check_grantor(actor, user, role)
    locked = User.objects.select_for_update().get(pk=user.pk)
    old = list(locked.roles or [])
    if role not in old:
        return locked
    locked.roles = [r for r in old if r != role]
    locked.save(update_fields=["roles"])
    record_audit(actor=actor, action="accounts.role_revoked", target=locked, old={"roles": old},
                 new={"roles": locked.roles}, reason=reason)
    user.roles = locked.roles
    return locked


@transaction.atomic
def create_service_point(actor: User, *, code: str, name: str, city: str, address: str = "",
                         reason: str = "") -> ServicePoint:
    """Open a service point (admin or operator; audited)."""
    require_role(actor, Role.ADMIN, Role.OPERATOR)
    code = (code or "").strip().upper()
    if not code or not (name or "").strip() or not (city or "").strip():
        raise ApplicationError(_("code, name and city are required"), code="invalid_service_point")
    if ServicePoint.objects.filter(code=code).exists():
        raise Conflict(_("a service point with this code exists"), code="service_point_exists")
    point = ServicePoint.objects.create(code=code, name=name.strip(), city=city.strip(), address=address.strip())
    record_audit(actor=actor, action="accounts.service_point_created", target=point,
                 new={"code": code, "name": point.name, "city": point.city}, reason=reason)
    return point


@transaction.atomic
def assign_agent(actor: User, agent: User, point: ServicePoint, reason: str) -> AgentMembership:
    """Make ``agent`` (who must hold the agent role) a member of ``point`` (admin or operator; audited)."""
    require_role(actor, Role.ADMIN, Role.OPERATOR)
    reason = _require_reason(reason)
    if not agent.has_role(Role.AGENT):
        raise ApplicationError(_("grant the agent role first"), code="not_an_agent")
    membership, created = AgentMembership.objects.get_or_create(agent=agent, service_point=point)
    if not created and membership.active:
        return membership
    if not membership.active:
        membership.active = True
        membership.save(update_fields=["active"])
    record_audit(actor=actor, action="accounts.agent_assigned", target=agent,
                 new={"service_point": point.code}, reason=reason)
    return membership


@transaction.atomic
def register_and_verify_offline(agent: User, *, username: str, email: str = "", real_name: str,
                                resident_id: str, mobile: str, bank_card: str, kind: str = IdentityKind.PERSON,
                                company_name: str = "", credit_code: str = "",
                                service_point: ServicePoint | None = None) -> User:
    """The agent console's one step: register a member and verify the identity in person.

    A refusal undoes the registration too. An identity already on the platform keeps the new
    member registered with an open review (``selectors.kyc_status`` says ``under_review``). The
    member then gets the one-time link to choose their password (e-mail and SMS to the mobile
    just verified); the agent never knows it.
    """
    user = register_member_offline(agent, username=username, email=email, service_point=service_point,
                                   send_link=False)
    submit_identity(user, real_name=real_name, resident_id=resident_id, mobile=mobile, bank_card=bank_card,
                    kind=kind, company_name=company_name, credit_code=credit_code, agent=agent,
                    service_point=user.registered_point)
    passwords.send_welcome_link(user)
    return user


@transaction.atomic
def bootstrap_admin(user: User, reason: str) -> User:
    """Make ``user`` the first administrator (audited, actor 'system'); refused once any admin exists."""
    reason = _require_reason(reason)
    admins = [u for u in User.objects.select_for_update().filter(is_active=True) if u.has_role(Role.ADMIN)]
    if admins:
        raise Conflict(_("an administrator exists already: ask them to grant roles"), code="admin_exists")
    locked = User.objects.select_for_update().get(pk=user.pk)
    old = list(locked.roles or [])
    locked.roles = [*old, Role.ADMIN.value]
    locked.is_staff = True
    locked.save(update_fields=["roles", "is_staff"])
    record_audit(actor=None, action="accounts.admin_bootstrapped", target=locked, old={"roles": old},
                 new={"roles": locked.roles}, reason=reason)
    return locked
