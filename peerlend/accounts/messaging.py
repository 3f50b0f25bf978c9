"""Messages from the accounts context to one member: set-password and reset links, consent codes.

Accounts sits below the ledger (which owns the outbox) and servicing (which owns the inbox), so it
does not import them: each registers a sender for its channel here when the app loads (``ledger``:
``email`` and ``sms`` through the outbox, sent after commit; ``servicing``: ``inbox``). A secret
(a link, a code) goes only into these messages: no page ever shows it to an agent or staff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peerlend.errors import ApplicationError

EMAIL, SMS, INBOX = "email", "sms", "inbox"


@dataclass(frozen=True)
class MemberMessage:
    user_id: int
    event_key: str  # unique per message: a channel sends one event once
    subject: str
    body: str
    email: str = ""  # address, when the channel is e-mail
    mobile_enc: str = ""  # encrypted mobile number, when the channel is SMS (plaintext never stored)


Sender = Callable[[MemberMessage], None]
_senders: dict[str, Sender] = {}


def register_sender(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def mobile_enc_of(user: object) -> str:
    """The member's encrypted mobile number: from the verified identity, else the latest KYC review."""
    from peerlend.accounts.models import Identity, IdentityReview

    found = Identity.objects.filter(user=user).values_list("mobile_enc", flat=True).first()
    if not found:
        found = (IdentityReview.objects.filter(user=user).order_by("-pk")
                 .values_list("mobile_enc", flat=True).first())
    return found or ""


def reachable_channels(user: object) -> list[str]:
    out = []
    if getattr(user, "email", "") and EMAIL in _senders:
        out.append(EMAIL)
    if SMS in _senders and mobile_enc_of(user):
        out.append(SMS)
    if INBOX in _senders:
        out.append(INBOX)
    return out


def send(user: object, *, event_key: str, subject: str, body: str,
         channels: Iterable[str] = (EMAIL, SMS)) -> list[str]:
    """Queue the message on every wanted channel the member can be reached on; returns those channels.

    Refuses (400 ``no_contact``) when none works: a secret that reaches nobody is a dead end.
    """
    wanted = list(channels)
    reachable = set(reachable_channels(user))
    used = [c for c in wanted if c in reachable]
    if not used:
        raise ApplicationError(
            _no_contact_message(), code="no_contact", extra={"field": "email"})
    mobile_enc = mobile_enc_of(user) if SMS in used else ""
    message = MemberMessage(user_id=user.pk, event_key=event_key, subject=str(subject),  # type: ignore[attr-defined]
                            body=str(body), email=getattr(user, "email", ""), mobile_enc=mobile_enc)
    for channel in used:
        _senders[channel](message)
    return used


def _no_contact_message() -> str:
    from django.utils.translation import gettext as _

    return _("the member has neither an e-mail address nor a mobile number to receive the message")
