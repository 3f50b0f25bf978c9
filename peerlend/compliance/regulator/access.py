"""Regulator access: the role check and the access log (one row per page or export read).

Writing the row is the one write a regulator's read makes (bookkeeping, docs/DESIGN.md "Security").
The log is append-only and hash-chained like the audit log (``compliance.chain.append_chained``);
``peerlend verify-audit`` verifies both chains.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peerlend.compliance.chain import append_chained
from peerlend.compliance.models import jsonable
from peerlend.compliance.models_regulator import MAX_REASON, RegulatorAccess
from peerlend.errors import PermissionDenied

REGULATOR_ROLE = "regulator"
MAX_FILTER_TEXT = 200  # each filter value is clipped so a long query string cannot bloat the log

# What a regulator read; every code has a label in peerlend/web/labels.py AUDIT_ACTIONS.
CONSOLE = "regulator.console"
LOAN_SEARCH = "regulator.loan_search"
MEMBER_SEARCH = "regulator.member_search"
MEMBER_VIEW = "regulator.member_view"
MEMBER_UNMASKED = "regulator.member_unmasked"
AUDIT_LOG = "regulator.audit_log"
ACCESS_LOG = "regulator.access_log"
EXPORT = "regulator.export"
RECONCILIATION = "regulator.reconciliation"
RECONCILIATION_EXPORT = "regulator.reconciliation_export"
ACTIONS = (CONSOLE, LOAN_SEARCH, MEMBER_SEARCH, MEMBER_VIEW, MEMBER_UNMASKED, AUDIT_LOG, ACCESS_LOG, EXPORT,
           RECONCILIATION, RECONCILIATION_EXPORT)


def is_regulator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and REGULATOR_ROLE in (getattr(user, "roles", None) or [])


def require_regulator(user: Any) -> None:
    if not is_regulator(user):
        raise PermissionDenied(_("Only the regulator may open the regulator console."), code="regulator_only")


# A resident ID, mobile or card number typed into a search: the log keeps it masked, as the pages do.
_PII_LIKE = re.compile(r"\d{6,}[\dXx]*")


def _mask(text: str) -> str:
    return _PII_LIKE.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 7) + m[0][-4:] if len(m[0]) >= 11 else m[0], text)


def _clean_filters(filters: Mapping[str, Any]) -> dict[str, str]:
    return {str(k)[:40]: _mask(str(v)[:MAX_FILTER_TEXT]) for k, v in sorted(filters.items()) if str(v) != ""}


def record_access(*, actor: Any, action: str, path: str, filters: Mapping[str, Any] | None = None,
                  target: tuple[str, str] | None = None, reason: str = "", status_code: int = 200) -> RegulatorAccess:
    """Append one access row to the hash-chained log.

    ``target`` is a ``(type, id)`` pair; ``reason`` the justification for PII.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown regulator access action {action!r}")
    target_type, target_id = target or ("", "")
    clean_filters = jsonable(_clean_filters(filters or {}))

    def build(prev_hash: str) -> RegulatorAccess:
        return RegulatorAccess(
            at=dt.datetime.now(tz=dt.UTC), actor=actor, actor_username=getattr(actor, "username", "")[:150],
            action=action, path=path[:300], filters=clean_filters, target_type=target_type[:100],
            target_id=str(target_id)[:64], reason=reason[:MAX_REASON], status_code=status_code,
            prev_hash=prev_hash,
        )

    return append_chained(RegulatorAccess, build)


def access_log(*, actor_id: int | None = None, action: str = "") -> QuerySet[RegulatorAccess]:
    """The access log, newest first, optionally for one regulator or one action."""
    rows = RegulatorAccess.objects.order_by("-id")
    if actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    if action:
        rows = rows.filter(action=action)
    return rows
