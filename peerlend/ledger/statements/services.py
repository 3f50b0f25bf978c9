"""Generate and store member statements (a POST on the page or the API, or ``peerlend statements``).

Idempotent: a statement already stored for the member, period and format at the current
``GENERATOR_VERSION`` is returned as it is; ``force`` renders it again from the books and replaces it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.ledger.models_statements import Statement, StatementFormat
from peerlend.ledger.statements.build import StatementData, build_statement, first_activity
from peerlend.ledger.statements.periods import Period, check_closed, parse_period
from peerlend.ledger.statements.render_csv import render_csv
from peerlend.ledger.statements.render_pdf import render_pdf
from peerlend.ledger.statements.render_xlsx import render_xlsx

# Raise when the figures or the layout of the files change: stored statements are then rendered again.
GENERATOR_VERSION = 1

RENDERERS: dict[str, Callable[[StatementData], bytes]] = {
    StatementFormat.CSV: render_csv,
    StatementFormat.XLSX: render_xlsx,
    StatementFormat.PDF: render_pdf,
}


@dataclass(frozen=True)
class Outcome:
    statement: Statement
    created: bool  # rendered and stored now; False: the stored one was current and returned as it is


def parse_format(text: object) -> str:
    value = str(text or "").strip().lower() if isinstance(text, str) else ""
    if value not in RENDERERS:
        raise ApplicationError(_("The format must be one of: csv, xlsx, pdf."), code="invalid_format")
    return value


def joined_on(member: Any) -> date:
    """When the member joined: the day they registered, or their first posting if the books go back further."""
    registered = timezone.localdate(member.date_joined) if member.date_joined else business_date()
    first = first_activity(member.pk)
    return min(registered, first) if first else registered


def request_statement(member: Any, period_text: object, format_text: object) -> Outcome:
    """The page's and the API's POST: validate the input, then :func:`generate`."""
    period = parse_period(period_text)
    fmt = parse_format(format_text)
    return generate(member, period, fmt)


def generate(member: Any, period: Period, fmt: str, *, force: bool = False) -> Outcome:
    """The member's statement for a closed period in one format, stored (422 for an open or earlier period)."""
    return generate_formats(member, period, [fmt], force=force)[0]


def generate_formats(member: Any, period: Period, formats: list[str], *, force: bool = False) -> list[Outcome]:
    """:func:`generate` for several formats: the figures are built once, for the formats that need a file."""
    formats = [parse_format(fmt) for fmt in formats]
    check_closed(period, business_date(), joined_on(member))
    stored = {s.format: s for s in Statement.objects.filter(
        member=member, period_kind=period.kind, period_start=period.start, format__in=formats).defer("content")}
    data: StatementData | None = None
    out: list[Outcome] = []
    for fmt in formats:
        found = stored.get(fmt)
        if found is not None and not force and found.generator_version >= GENERATOR_VERSION:
            out.append(Outcome(found, created=False))
            continue
        data = data or build_statement(member, period)
        out.append(Outcome(_store(member, period, fmt, RENDERERS[fmt](data)), created=True))
    return out


def _store(member: Any, period: Period, fmt: str, content: bytes) -> Statement:
    fields = {"content": content, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
              "language": translation.get_language() or settings.LANGUAGE_CODE,
              "generator_version": GENERATOR_VERSION, "created_at": timezone.now()}
    key = {"member": member, "period_kind": period.kind, "period_start": period.start, "format": fmt}
    try:
        with transaction.atomic():
            statement, _created = Statement.objects.update_or_create(**key, defaults=fields)
    except IntegrityError:
        # Another request stored it between our read and our write: theirs is the same statement.
        statement = Statement.objects.get(**key)
    return statement


def generate_in_member_language(member: Any, period: Period, formats: list[str], *,
                                 force: bool = False) -> list[Outcome]:
    """:func:`generate_formats` in the language the member chose for messages (the platform's default otherwise)."""
    with translation.override(getattr(member, "language", "") or settings.LANGUAGE_CODE):
        return generate_formats(member, period, formats, force=force)
