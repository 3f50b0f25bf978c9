"""Custody reconciliation: match the custody bank's statement against the ``custody_bank`` mirror.

A statement is a CSV with the columns ``date, reference, amount, direction`` (direction ``in``
= money into the custody account, ``out`` = out of it; amount in major units). A line matches
one custody_bank posting with the same entry reference, amount and direction (``in`` is a
negative posting on the asset account, ``out`` a positive one). Unmatched lines and unmatched
postings within the statement's dates become open items; an operator resolves each with a
reason, which posts the difference through ``suspense`` and writes an audit event.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.compliance.services import record_audit
from peerlend.domain.money import parse_amount_minor
from peerlend.errors import ApplicationError, Conflict
from peerlend.ledger.models import (
    Direction,
    JournalEntry,
    Posting,
    ReconciliationItem,
    StatementImport,
    StatementLine,
    default_currency,
)
from peerlend.ledger.services import platform_account, post_entry

REQUIRED_COLUMNS = ("date", "reference", "amount", "direction")


@dataclass(frozen=True)
class ImportResult:
    statement: StatementImport
    matched: int
    unmatched_bank: int
    unmatched_ledger: int


@dataclass(frozen=True)
class _Row:
    line_no: int
    date: date
    reference: str
    amount_minor: int
    direction: str


def parse_statement(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ApplicationError(_("statement is missing columns: %(cols)s") % {"cols": ", ".join(missing)},
                               code="invalid_statement")
    rows: list[_Row] = []
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            day = date.fromisoformat(rec["date"])
            amount = parse_amount_minor(rec["amount"], default_currency())
        except ValueError as exc:
            raise ApplicationError(_("statement line %(n)d: %(why)s") % {"n": n, "why": exc},
                                   code="invalid_statement") from None
        direction = rec["direction"].lower()
        if direction not in (Direction.IN, Direction.OUT):
            raise ApplicationError(_("statement line %(n)d: direction must be in or out") % {"n": n},
                                   code="invalid_statement")
        if not rec["reference"]:
            raise ApplicationError(_("statement line %(n)d: reference is empty") % {"n": n},
                                   code="invalid_statement")
        rows.append(_Row(n, day, rec["reference"], amount, direction))
    return rows


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))


def import_statement(text: str, *, filename: str, operator: Any = None) -> ImportResult:
    """Import and match a statement; the same file twice is refused (409)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    rows = parse_statement(text)
    custody = platform_account("custody_bank")
    with transaction.atomic():
        if StatementImport.objects.filter(digest=digest).exists():
            raise Conflict(_("this statement was already imported"), code="statement_already_imported")
        statement = StatementImport.objects.create(filename=filename[:255], digest=digest, imported_by=operator,
                                                   line_count=len(rows))
        taken = set(StatementLine.objects.filter(matched_posting__isnull=False).values_list("matched_posting_id",
                                                                                            flat=True))
        matched = unmatched_bank = 0
        for row in rows:
            signed = -row.amount_minor if row.direction == Direction.IN else row.amount_minor
            candidate = (
                Posting.objects.filter(account=custody, amount_minor=signed, entry__reference=row.reference,
                                       entry__posted=True)
                .exclude(pk__in=taken).exclude(recon_item__isnull=False).order_by("pk").first()
            )
            line = StatementLine.objects.create(
                statement=statement, line_no=row.line_no, date=row.date, reference=row.reference,
                amount_minor=row.amount_minor, direction=row.direction, matched_posting=candidate,
            )
            if candidate is not None:
                taken.add(candidate.pk)
                matched += 1
            else:
                unmatched_bank += 1
                ReconciliationItem.objects.create(
                    side=ReconciliationItem.Side.BANK, statement=statement, statement_line=line, date=row.date,
                    reference=row.reference, amount_minor=row.amount_minor, direction=row.direction,
                )
        unmatched_ledger = 0
        if rows:
            start, end = _day_bounds(min(r.date for r in rows), max(r.date for r in rows))
            orphans = (
                Posting.objects.filter(account=custody, entry__posted=True, entry__created_at__gte=start,
                                       entry__created_at__lt=end)
                .exclude(pk__in=taken).filter(recon_item__isnull=True, statement_line__isnull=True)
                .select_related("entry").order_by("pk")
            )
            for posting in orphans:
                unmatched_ledger += 1
                ReconciliationItem.objects.create(
                    side=ReconciliationItem.Side.LEDGER, statement=statement, posting=posting,
                    date=timezone.localtime(posting.entry.created_at).date(), reference=posting.entry.reference,
                    amount_minor=abs(posting.amount_minor),
                    direction=Direction.IN if posting.amount_minor < 0 else Direction.OUT,
                )
        StatementImport.objects.filter(pk=statement.pk).update(matched_count=matched)
        statement.matched_count = matched
    return ImportResult(statement, matched, unmatched_bank, unmatched_ledger)


def resolve_item(operator: Any, item: ReconciliationItem, reason: str) -> JournalEntry:
    """Post the difference through ``suspense`` so the mirror agrees with the bank, and audit it.

    * bank-only ``in``: money arrived that the books do not know -> custody_bank(-) / suspense(+)
    * bank-only ``out``: money left that the books do not know -> suspense(-) / custody_bank(+)
    * ledger-only ``in``/``out``: the books moved money the bank did not -> the reverse, via suspense.
    The money then waits in suspense until someone books it properly (a later entry).
    """
    from peerlend.accounts.services import require_role

    require_role(operator, "operator", "admin")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("a reason is required to resolve a reconciliation item"), code="reason_required")
    with transaction.atomic():
        # Locked and read first: the audit's old values are the row's own, not restated.
        before = ReconciliationItem.objects.select_for_update().filter(pk=item.pk).first()
        won = ReconciliationItem.objects.filter(pk=item.pk, status=ReconciliationItem.Status.OPEN).update(
            status=ReconciliationItem.Status.RESOLVED, resolved_by=operator, resolved_at=timezone.now(),
            reason=reason[:2000],
        )
        if won != 1 or before is None:
            raise Conflict(_("this item was already resolved"), code="already_resolved")
        money_in = item.direction == Direction.IN
        bank_side = item.side == ReconciliationItem.Side.BANK
        # custody_bank delta: the bank's truth minus the books' view.
        custody_delta = -item.amount_minor if money_in == bank_side else item.amount_minor
        entry = post_entry(
            kind="reconciliation",
            lines=[(platform_account("custody_bank"), custody_delta), (platform_account("suspense"), -custody_delta)],
            memo=reason[:255],
            reference=f"recon:{item.pk}:{item.reference}"[:120],
        )
        ReconciliationItem.objects.filter(pk=item.pk).update(resolution_entry=entry)
        after = ReconciliationItem.objects.get(pk=item.pk)
        record_audit(actor=operator, action="ledger.reconciliation.resolve", target=after,
                     old=_audited(before), new=_audited(after), reason=reason)
    item.refresh_from_db()
    return entry


# What an operator's resolution changes, and what identifies the item, as the audit records them.
_AUDITED_FIELDS = ("status", "side", "direction", "amount_minor", "reference", "resolved_by_id", "resolved_at",
                   "reason", "resolution_entry_id")


def _audited(item: ReconciliationItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in _AUDITED_FIELDS}
