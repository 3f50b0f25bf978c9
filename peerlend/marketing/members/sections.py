"""Sections other parts of marketing add to the member centre (coupons, referrals), without this
package importing them: each registers a template and a read-only context function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SectionContext = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class CentreSection:
    name: str
    template: str
    context: SectionContext
    order: int


_SECTIONS: dict[str, CentreSection] = {}


def register_centre_section(name: str, template: str, context: SectionContext, *, order: int = 50) -> None:
    """Add (or replace, by name) a section; ``context(user)`` must only read (a GET never writes)."""
    _SECTIONS[name] = CentreSection(name, template, context, order)


def centre_sections(user: Any) -> list[dict[str, Any]]:
    return [{"name": s.name, "template": s.template, "context": s.context(user)}
            for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))]
