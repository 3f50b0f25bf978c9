"""Related parties: flagged and ended by staff, audited; the monthly figures see the flag by month-end."""

from __future__ import annotations

from datetime import date

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.models import RelatedParty
from peerlend.disclosure.monthly.related import end_related_party, flag_related_party
from peerlend.errors import ApplicationError
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db


def test_flag_and_end_are_audited() -> None:
    operator, member = make_staff("operator"), make_user(roles=("borrower",))
    flag_related_party(actor=operator, user=member, reason="director", since=date(2026, 1, 1))
    with pytest.raises(ApplicationError):
        flag_related_party(actor=operator, user=member, reason="again", since=date(2026, 2, 1))
    with pytest.raises(ApplicationError):
        end_related_party(actor=operator, user=member, until=date(2025, 12, 1), reason="typo")
    end_related_party(actor=operator, user=member, until=date(2026, 6, 1), reason="resigned")
    assert RelatedParty.objects.get().until == date(2026, 6, 1)
    actions = list(AuditEvent.objects.filter(action__startswith="disclosure.related").values_list("action", flat=True))
    assert actions == ["disclosure.related_party_flagged", "disclosure.related_party_ended"]


def test_reason_is_required() -> None:
    with pytest.raises(ApplicationError):
        flag_related_party(actor=make_staff("operator"), user=make_user(), reason=" ", since=date(2026, 1, 1))
    assert not RelatedParty.objects.exists()
