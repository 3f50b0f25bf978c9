"""``{% suitability_notice loan %}``: on a loan page, whether this loan suits the investor, and where to fix it."""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.clock import business_date
from peerlend.investing import questionnaire as q
from peerlend.investing.selectors import suitability_of

register = template.Library()


@register.inclusion_tag("web/investing/_notice.html", takes_context=True)
def suitability_notice(context: Any, loan: Any) -> dict[str, Any]:
    request = context["request"]
    s = suitability_of(request.user, business_date())
    fits = bool(s.assessment) and not s.expired and q.allows(s.assessment.level, loan.grade or "")  # type: ignore[union-attr]
    return {"s": s, "fits": fits, "loan": loan, "next": request.path}
