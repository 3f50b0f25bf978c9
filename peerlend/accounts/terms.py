"""Terms of service and privacy notice: the current versions and who accepted which, when.

A change of either text gets a new version here; the acceptance rows keep what each member agreed to.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import LegalDocument, TermsAcceptance, User
from peerlend.errors import ApplicationError

# Bump when the text in web/templates/web/legal/ changes materially.
CURRENT_VERSIONS: dict[str, str] = {LegalDocument.TERMS: "2026-12-01", LegalDocument.PRIVACY: "2026-12-01"}


@transaction.atomic
def record_acceptance(user: User) -> None:
    """Record that ``user`` accepted the current terms of service and privacy notice (now)."""
    now = timezone.now()
    for document, version in CURRENT_VERSIONS.items():
        TermsAcceptance.objects.get_or_create(user=user, document=document, version=version,
                                              defaults={"accepted_at": now})


def require_accepted(accepted: bool) -> None:
    """Refuse (400 ``terms_not_accepted``) a registration that did not accept the current texts."""
    if not accepted:
        raise ApplicationError(
            _("Accept the terms of service and the privacy notice to register."),
            code="terms_not_accepted", extra={"field": "accept_terms"})


def accepted_current(user: User) -> list[TermsAcceptance]:
    """The member's acceptances of the current versions, in document order."""
    rows = {(a.document, a.version): a for a in TermsAcceptance.objects.filter(user=user)}
    return [rows[key] for key in CURRENT_VERSIONS.items() if key in rows]


def has_accepted_current(user: User) -> bool:
    accepted = set(TermsAcceptance.objects.filter(user=user).values_list("document", "version"))
    return all((d, v) in accepted for d, v in CURRENT_VERSIONS.items())
