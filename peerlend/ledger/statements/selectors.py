"""Read queries of member statements: lists, who may download, file names and content types."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peerlend.errors import NotFound
from peerlend.ledger.models import AccountKind, LedgerAccount
from peerlend.ledger.models_statements import Statement, StatementFormat
from peerlend.ledger.statements.periods import Period, month_period, period_of, year_period

# Staff who may download any member's statement (besides the member): operations, compliance, administrators.
STAFF_READERS = frozenset({"operator", "compliance", "admin"})

CONTENT_TYPES = {
    StatementFormat.CSV: "text/csv; charset=utf-8",
    StatementFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    StatementFormat.PDF: "application/pdf",
}


def is_staff_reader(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(set(getattr(user, "roles", None) or [])
                                                                    & STAFF_READERS)


def statements_of(member: Any) -> QuerySet[Statement]:
    return (Statement.objects.filter(member=member).defer("content")
            .order_by("-period_start", "period_kind", "format"))


def statement_for(viewer: Any, statement_id: int, *, with_content: bool = True) -> Statement:
    """The statement if ``viewer`` owns it or is a staff reader; anyone else gets not-found (not a hint)."""
    if not getattr(viewer, "is_authenticated", False):
        raise NotFound(_("No such statement."), code="statement_not_found")
    rows = Statement.objects.filter(pk=statement_id)
    if not is_staff_reader(viewer):
        rows = rows.filter(member=viewer)
    if not with_content:
        rows = rows.defer("content")
    found = rows.first()
    if found is None:
        raise NotFound(_("No such statement."), code="statement_not_found")
    return found


def period_code(statement: Statement) -> str:
    return period_of(statement.period_kind, statement.period_start).code


def file_name(statement: Statement) -> str:
    return f"statement_{period_code(statement)}_member-{statement.member_id}.{statement.format}"


def has_ledger_accounts(member: Any) -> bool:
    return LedgerAccount.objects.filter(owner=member, kind__in=[AccountKind.AVAILABLE, AccountKind.FROZEN]).exists()


def closed_periods(joined: date, today: date, *, months: int = 24) -> list[Period]:
    """The closed months (newest first, at most ``months``) and closed years since ``joined``."""
    out: list[Period] = []
    year, month = today.year, today.month
    for _i in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        period = month_period(year, month)
        if period.end < joined:
            break
        out.append(period)
    out += [year_period(y) for y in range(today.year - 1, joined.year - 1, -1) if y >= 2000]
    return out


def stored_index(member: Any) -> dict[tuple[str, str, str], Statement]:
    """Stored statements by (period kind, period code, format) (content not loaded)."""
    return {(s.period_kind, period_code(s), s.format): s for s in statements_of(member)}

