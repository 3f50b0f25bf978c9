"""Test data builders shared by every context's tests."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import secrets
from collections.abc import Iterable

from peerlend.accounts.models import AgentMembership, Channel, Identity, Role, ServicePoint, User
from peerlend.accounts.services import resident_id_index, verify_identity
from peerlend.clock import business_date
from peerlend.domain.validators import make_bank_card, make_credit_code, make_resident_id

_counter = itertools.count(1)
_rng = random.Random(secrets.randbits(64))  # test data, not a secret


def random_resident_id() -> str:
    """A valid resident ID not yet used by any identity in the database."""
    for _attempt in range(50):
        # Adults of 27 to 51 in 2026: old enough on every business date the tests set (2020 on) and young
        # enough to borrow for 36 months under the age limit at maturity (60).
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=_rng.randint(0, 24 * 365))
        rid = make_resident_id("110101", birth, _rng.randint(0, 999))
        if not Identity.objects.filter(resident_id_index=resident_id_index(rid)).exists():
            return rid
    raise RuntimeError("could not find an unused resident ID")


def random_mobile() -> str:
    return f"13{_rng.randint(0, 9)}{_rng.randint(0, 10**8 - 1):08d}"


def random_bank_card() -> str:
    """A valid bank card number no identity in the database holds yet (a held card is refused)."""
    from peerlend.accounts.kyc import bank_card_index

    for _attempt in range(50):
        card = make_bank_card(f"6222{_rng.randint(0, 10**8 - 1):08d}", 16)
        if not Identity.objects.filter(bank_card_index=bank_card_index(card)).exists():
            return card
    raise RuntimeError("could not find an unused bank card number")


def random_credit_code() -> str:
    """A valid unified social credit code (GB 32100-2015) of a made-up company."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return make_credit_code("91", "110108", "".join(_rng.choice(alphabet) for _ in range(9)))


def make_identity(user: User, *, resident_id: str | None = None, agent: User | None = None,
                  point: ServicePoint | None = None, real_name: str = "张三", mobile: str | None = None,
                  bank_card: str | None = None, kind: str = "person", company_name: str = "",
                  credit_code: str | None = None) -> Identity:
    """Verify ``user`` through the real KYC service with random valid PII (in person if ``agent``).

    ``kind="company"``: a company with a random credit code; the PII is its legal representative's.
    """
    company = kind == "company"
    return verify_identity(
        user, real_name=real_name, resident_id=resident_id or random_resident_id(),
        mobile=mobile or random_mobile(), bank_card=bank_card or random_bank_card(), agent=agent,
        service_point=point, kind=kind, company_name=(company_name or "示例科技有限公司") if company else "",
        credit_code=(credit_code or random_credit_code()) if company else "",
    )


def make_service_point(code: str | None = None, *, active: bool = True) -> ServicePoint:
    n = next(_counter)
    return ServicePoint.objects.create(
        code=code or f"SP{n:04d}{secrets.token_hex(2).upper()}", name=f"Service point {n}", city="Beijing",
        address=f"{n} Chang'an Ave", active=active,
    )


def make_agent(point: ServicePoint | None = None) -> User:
    """An agent working at ``point`` (a new active point when None)."""
    point = point or make_service_point()
    agent = make_staff(Role.AGENT)
    AgentMembership.objects.create(agent=agent, service_point=point)
    return agent


def make_user(username: str | None = None, *, roles: Iterable[str] = ("investor",), kyc: bool = True,
              password: str = "Passw0rd!x", channel: str = "online", kind: str = "person",
              suitable: bool = True) -> User:
    """A member with ``roles`` and (unless ``kyc=False``) a verified KYC identity (a company with ``kind``).

    With ``channel="offline"`` a service point and its agent are created, and the agent registers
    and verifies the member in person (both recorded on the user and the identity).
    """
    if username is None:
        username = f"user{next(_counter)}_{secrets.token_hex(3)}"
    agent = point = None
    if channel == Channel.OFFLINE:
        point = make_service_point()
        agent = make_agent(point)
    user = User.objects.create_user(
        username=username, password=password, roles=list(roles), channel=channel,
        registered_by=agent, registered_point=point, registered_on=business_date(),  # as registration does
    )
    if kyc:
        make_identity(user, agent=agent, point=point, kind=kind)
    if kyc and suitable and user.has_role(Role.INVESTOR):
        # A verified investor ready to buy any grade (risk questionnaire and disclosure done);
        # ``suitable=False`` leaves both undone, as for a member who just registered.
        from peerlend.investing.services import make_suitable

        make_suitable(user)
    return user


def make_staff(role: str) -> User:
    """A staff user holding only ``role`` (no KYC identity: staff do not invest or borrow)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    n = next(_counter)
    return User.objects.create_user(
        username=f"{role}{n}_{secrets.token_hex(3)}", password="Passw0rd!x", roles=[role],
        is_staff=role in (Role.ADMIN, Role.OPERATOR),
    )
