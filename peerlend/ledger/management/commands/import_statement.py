"""``peerlend import-statement FILE.csv``: import and match a custody-bank statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.errors import ApplicationError
from peerlend.ledger.reconciliation import import_statement


class Command(BaseCommand):
    help = "Import a custody bank statement CSV (date, reference, amount, direction) and match it to the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            result = import_statement(path.read_text(encoding="utf-8-sig"), filename=path.name)
        except (OSError, ApplicationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"imported {result.statement.line_count} line(s): {result.matched} matched, "
            f"{result.unmatched_bank} only on the bank statement, {result.unmatched_ledger} only in the ledger"
        )
