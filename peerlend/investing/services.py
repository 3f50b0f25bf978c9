"""Use cases of the investing context that change state; each is atomic.

Suitability (China's 2016 online-lending rules): an investor answers the risk questionnaire,
which gives a risk level valid for a year of business dates, and acknowledges the risk
disclosure once per version; ``check_investment`` refuses a note that does not fit. Lending
calls that check through the hook registered in ``InvestingConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.investing import questionnaire as q
from peerlend.investing.models import DisclosureAcknowledgement, SuitabilityAssessment
from peerlend.investing.selectors import DISCLOSURE_VERSION


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the pages are not mounted (an API-only deployment)
        return ""


@transaction.atomic
def assess(investor: User, answers: dict[str, Any], *, today: date | None = None) -> SuitabilityAssessment:
    """Score the questionnaire and keep the result with its answers; it is in force for a year."""
    require_role(investor, Role.INVESTOR)
    clean = {k: str(v) for k, v in answers.items() if k in {x.key for x in q.QUESTIONS} and isinstance(v, str)}
    problems = q.invalid_answers(clean)
    if problems:
        raise ApplicationError(_("please answer every question of the risk questionnaire"),
                               code="invalid_answers", extra={"errors": problems})
    today = today or business_date()
    scored = q.score(clean)
    return SuitabilityAssessment.objects.create(
        investor=investor, questionnaire_version=q.VERSION, answers=clean, score=scored.score, level=scored.level,
        assessed_on=today, expires_on=today + timedelta(days=q.VALID_DAYS),
    )


def acknowledge_disclosure(investor: User, *, version: str = DISCLOSURE_VERSION,
                           today: date | None = None) -> DisclosureAcknowledgement:
    """Record that the investor read the risk disclosure of ``version``; acknowledging again changes nothing."""
    require_role(investor, Role.INVESTOR)
    if version != DISCLOSURE_VERSION:
        raise ApplicationError(_("this version of the risk disclosure is no longer current; read it again"),
                               code="stale_disclosure")
    found = DisclosureAcknowledgement.objects.filter(investor=investor, version=version).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return DisclosureAcknowledgement.objects.create(investor=investor, version=version,
                                                            business_date=today or business_date())
    except IntegrityError:  # a double submit acknowledged it meanwhile
        return DisclosureAcknowledgement.objects.get(investor=investor, version=version)


def check_investment(investor: User, loan: Any) -> None:
    """Refuse (403, with the reason and where to fix it) a note that does not suit the investor.

    Runs before every note, the simulator's included: one query reads the newest result and
    whether the current disclosure was acknowledged.
    """
    today = business_date()
    acknowledged = DisclosureAcknowledgement.objects.filter(investor=investor, version=DISCLOSURE_VERSION)
    found = (SuitabilityAssessment.objects.filter(investor=investor).annotate(acknowledged=Exists(acknowledged))
             .only("level", "assessed_on", "expires_on").order_by("-assessed_on", "-id").first())
    refusal = _suitability_refusal(found, bool(getattr(found, "acknowledged", False)), loan, today)
    if refusal is not None:
        raise refusal


def check_investment_many(investors: Sequence[User], loan: Any) -> dict[int, ApplicationError]:
    """:func:`check_investment` of many investors (auto-invest rounds): each refused one's error, in 3 queries."""
    today = business_date()
    ids = [investor.pk for investor in investors]
    newest: dict[int, SuitabilityAssessment] = {}
    for found in (SuitabilityAssessment.objects.filter(investor_id__in=ids)
                  .only("investor_id", "level", "assessed_on", "expires_on")
                  .order_by("investor_id", "-assessed_on", "-id")):
        newest.setdefault(found.investor_id, found)
    acknowledged = set(DisclosureAcknowledgement.objects.filter(investor_id__in=ids, version=DISCLOSURE_VERSION)
                       .values_list("investor_id", flat=True))
    refused: dict[int, ApplicationError] = {}
    for pk in ids:
        refusal = _suitability_refusal(newest.get(pk), pk in acknowledged, loan, today)
        if refusal is not None:
            refused[pk] = refusal
    return refused


def _suitability_refusal(found: SuitabilityAssessment | None, acknowledged: bool, loan: Any,
                         today: date) -> PermissionDenied | None:
    """Why the newest assessment ``found`` (and the disclosure) do not allow ``loan``; None when they do."""
    if found is None:
        return PermissionDenied(_("answer the risk questionnaire before you invest: it sets the loan grades "
                                  "that suit you"), code="suitability_required", extra=_questionnaire_link())
    if found.expires_on <= today:
        return PermissionDenied(
            _("your risk assessment of %(on)s expired on %(until)s; answer the risk questionnaire again")
            % {"on": found.assessed_on.isoformat(), "until": found.expires_on.isoformat()},
            code="suitability_expired", extra=_questionnaire_link())
    grade = getattr(loan, "grade", "") or ""
    if not q.allows(found.level, grade):
        return PermissionDenied(
            _("this loan is grade %(grade)s, riskier than your risk level (%(level)s) allows: grades %(letters)s "
              "only") % {"grade": grade or "?", "level": q.level_label(found.level),
                         "letters": ", ".join(q.allowed_letters(found.level))},
            code="grade_above_risk_level", extra=_questionnaire_link())
    if not acknowledged:
        return PermissionDenied(_("read and acknowledge the risk disclosure before your first investment"),
                                code="disclosure_required", extra={"disclosure_url": _url("web:risk_disclosure")})
    return None


def _questionnaire_link() -> dict[str, str]:
    return {"questionnaire_url": _url("web:risk_questionnaire")}


def make_suitable(investor: User, *, today: date | None = None) -> None:
    """Give an investor the most tolerant result and the current disclosure (simulator and demo only)."""
    assess(investor, q.MOST_TOLERANT, today=today)
    acknowledge_disclosure(investor, today=today)
