"""Test data builders shared by every context's tests."""

from __future__ import annotations

import itertools
import random
import secrets
from collections.abc import Iterable

from django.utils import timezone

from peerlend.accounts.models import Channel, Identity, Role, User
from peerlend.compliance.crypto import blind_index, encrypt_pii

_counter = itertools.count(1)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _local_make_resident_id(rng: random.Random) -> str:
    # GB 11643 check digit (ISO 7064 MOD 11-2); used only until peerlend.domain.validators exists.
    body = "110101" + f"{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _random_resident_id() -> str:
    rng = random.Random(secrets.randbits(64))  # test data, not a secret
    try:
        from peerlend.domain.validators import make_resident_id
    except ImportError:
        return _local_make_resident_id(rng)
    try:
        return str(make_resident_id(rng=rng))  # type: ignore[call-arg]
    except TypeError:
        return str(make_resident_id())


def _mask(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def _masks(resident_id: str, mobile: str, card: str) -> tuple[str, str, str]:
    try:
        from peerlend.domain.validators import mask_bank_card, mask_mobile, mask_resident_id
    except ImportError:
        return _mask(resident_id, 3, 4), _mask(mobile, 3, 4), _mask(card, 0, 4)
    return mask_resident_id(resident_id), mask_mobile(mobile), mask_bank_card(card)


def _normalise_id(resident_id: str) -> str:
    return resident_id.strip().upper()


def make_identity(user: User, *, resident_id: str | None = None, channel: str = Channel.ONLINE,
                  agent: User | None = None, point: object | None = None) -> Identity:
    """A verified identity for ``user`` with random valid PII (unique resident ID)."""
    for _attempt in range(20):
        rid = resident_id or _random_resident_id()
        index = blind_index(_normalise_id(rid), purpose="resident_id")
        if resident_id or not Identity.objects.filter(resident_id_index=index).exists():
            break
    n = next(_counter)
    mobile = f"138{n % 100000000:08d}"
    card = f"6222{n % 10**12:012d}"
    rid_masked, mobile_masked, card_masked = _masks(rid, mobile, card)
    return Identity.objects.create(
        user=user,
        real_name_enc=encrypt_pii(f"测试{n}"),
        resident_id_enc=encrypt_pii(_normalise_id(rid)),
        mobile_enc=encrypt_pii(mobile),
        bank_card_enc=encrypt_pii(card),
        resident_id_index=index,
        real_name_masked="*" + str(n)[-1],
        resident_id_masked=rid_masked,
        mobile_masked=mobile_masked,
        bank_card_masked=card_masked,
        channel=channel,
        verified_by=agent if channel == Channel.OFFLINE else None,
        service_point=point if channel == Channel.OFFLINE else None,  # type: ignore[misc]
        verified_at=timezone.now(),
    )


def make_user(username: str | None = None, *, roles: Iterable[str] = ("investor",), kyc: bool = True,
              password: str = "Passw0rd!x", channel: str = "online") -> User:
    """A member with ``roles`` and (unless ``kyc=False``) a verified KYC identity.

    With ``channel="offline"`` a service point and agent are created and recorded, as when an
    agent registers and verifies the member in person.
    """
    if username is None:
        username = f"user{next(_counter)}_{secrets.token_hex(3)}"
    agent = point = None
    if channel == Channel.OFFLINE:
        agent, point = _make_agent_with_point()
    user = User.objects.create_user(
        username=username, password=password, roles=list(roles), channel=channel,
        registered_by=agent, registered_point=point,
    )
    if kyc:
        make_identity(user, channel=channel, agent=agent, point=point)
    return user


def make_service_point(code: str | None = None, *, active: bool = True) -> object:
    from peerlend.accounts.models import ServicePoint

    n = next(_counter)
    return ServicePoint.objects.create(
        code=code or f"SP{n:04d}", name=f"Service point {n}", city="Beijing", address=f"{n} Chang'an Ave",
        active=active,
    )


def _make_agent_with_point() -> tuple[User, object]:
    from peerlend.accounts.models import AgentMembership

    point = make_service_point()
    agent = make_staff(Role.AGENT)
    AgentMembership.objects.create(agent=agent, service_point=point)  # type: ignore[misc]
    return agent, point


def make_agent(point: object | None = None) -> User:
    """An agent working at ``point`` (a new active point when None)."""
    from peerlend.accounts.models import AgentMembership

    point = point or make_service_point()
    agent = make_staff(Role.AGENT)
    AgentMembership.objects.create(agent=agent, service_point=point)  # type: ignore[misc]
    return agent


def make_staff(role: str) -> User:
    """A staff user holding only ``role`` (no KYC identity; staff do not invest or borrow)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    n = next(_counter)
    return User.objects.create_user(
        username=f"{role}{n}_{secrets.token_hex(3)}", password="Passw0rd!x", roles=[role],
        is_staff=role in (Role.ADMIN, Role.OPERATOR),
    )
