"""Terms of service and privacy notice: the current versions and who accepted which, when.

A change of either text gets a new version here; the acceptance rows keep what each member agreed to.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from peerlend.accounts.models import LegalDocument, TermsAcceptance, User

# Bump when the text in web/templates/web/legal/ changes materially.
CURRENT_VERSIONS: dict[str, str] = {LegalDocument.TERMS: "2026-12-01", LegalDocument.PRIVACY: "2026-12-01"}


@transaction.atomic
def record_acceptance(user: User) -> None:
    """Record that ``user`` accepted the current terms of service and privacy notice (now)."""
    now = timezone.now()
    for document, version in CURRENT_VERSIONS.items():
        TermsAcceptance.objects.get_or_create(user=user, document=document, version=version,
                                              defaults={"accepted_at": now})


def has_accepted_current(user: User) -> bool:
    accepted = set(TermsAcceptance.objects.filter(user=user).values_list("document", "version"))
    return all((d, v) in accepted for d, v in CURRENT_VERSIONS.items())
