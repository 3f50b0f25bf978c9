"""The borrower's credit limit with its reasons, as a section of their loans page (issue 17).

Recomputed on every read from current facts (``scoring.limits``); reads only, so a GET writes nothing.
"""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.scoring.limits import BOUND_LABELS, borrower_limit

register = template.Library()


@register.inclusion_tag("web/lending/_credit_limit.html")
def credit_limit_section(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role("borrower"):
        return {"show": False}
    limit = borrower_limit(user.pk)
    bounds = [] if limit is None else [
        {"label": BOUND_LABELS[b.name], "limit_minor": b.limit_minor, "binding": b.binding} for b in limit.bounds]
    return {"show": True, "limit": limit, "bounds": bounds}
