"""``{% loan_disclosure loan %}``: on a loan page, what investors are told about the loan and its borrower.

``?known_at=investment`` on the page shows the facts and overdue history as known on the viewer's own
investment date. Reads only (a GET never writes).
"""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.disclosure.loan_facts.selectors import can_record_facts, investment_date, loan_disclosure

register = template.Library()


@register.inclusion_tag("web/disclosure_public/_loan_disclosure.html", takes_context=True)
def loan_disclosure_panel(context: Any, loan: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    invested_on = investment_date(loan, user)
    known_at = "investment" if invested_on and request.GET.get("known_at") == "investment" else None
    return {
        "d": loan_disclosure(loan, user, known_at=known_at), "invested_on": invested_on,
        "is_owner": user.is_authenticated and user.pk == loan.borrower_id,
        "can_record": can_record_facts(user), "path": request.path, "request": request,
    }
