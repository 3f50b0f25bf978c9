"""Reads of the related-party flags for the staff page: current and ended flags, who set them (masked names only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from peerlend.accounts.models import Identity
from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.models_monthly import RelatedParty
from peerlend.errors import NotFound

FLAGGED = "disclosure.related_party_flagged"
ENDED = "disclosure.related_party_ended"


@dataclass(frozen=True)
class RelatedPartyRow:
    pk: int
    user_id: int
    username: str
    real_name: str  # the identity's masked real name ("" without a verified identity)
    reason: str  # the reason given when the flag was set
    since: date
    until: date | None
    flagged_by: str  # usernames from the audit log ("" when no event names an actor)
    ended_by: str
    end_reason: str

    @property
    def current(self) -> bool:
        return self.until is None


@dataclass(frozen=True)
class RelatedParties:
    current: list[RelatedPartyRow] = field(default_factory=list)  # no end date: newest flag first
    ended: list[RelatedPartyRow] = field(default_factory=list)  # an end date set: latest end first


def related_parties() -> RelatedParties:
    """Every flag, split into current (open) and ended, in three queries whatever the number of rows."""
    flags = list(RelatedParty.objects.select_related("user").order_by("-since", "-pk"))
    names = dict(Identity.objects.filter(user_id__in=[f.user_id for f in flags])
                 .values_list("user_id", "real_name_masked"))
    events: dict[tuple[str, str], tuple[str, str]] = {}
    for action, target_id, actor, reason in (
            AuditEvent.objects.filter(action__in=(FLAGGED, ENDED), target_type=RelatedParty._meta.label_lower,
                                      target_id__in=[str(f.pk) for f in flags])
            .order_by("id").values_list("action", "target_id", "actor_username", "reason")):
        events[(action, target_id)] = (actor, reason)  # the latest event of each kind
    rows = [RelatedPartyRow(
        pk=f.pk, user_id=f.user_id, username=f.user.username, real_name=names.get(f.user_id, ""),
        reason=f.reason, since=f.since, until=f.until,
        flagged_by=events.get((FLAGGED, str(f.pk)), ("", ""))[0],
        ended_by=events.get((ENDED, str(f.pk)), ("", ""))[0],
        end_reason=events.get((ENDED, str(f.pk)), ("", ""))[1]) for f in flags]
    ended = sorted((r for r in rows if not r.current), key=lambda r: (r.until or date.min, r.pk), reverse=True)
    return RelatedParties(current=[r for r in rows if r.current], ended=ended)


def related_party(flag_id: int) -> RelatedParty:
    """One flag with its member; NotFound when there is none."""
    flag = RelatedParty.objects.select_related("user").filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(gettext("This member is not flagged as a related party."), code="not_flagged")
    return flag


def member_named(username: str) -> Any | None:
    """The user called ``username`` (exactly), or None."""
    return get_user_model().objects.filter(username=username).first()
