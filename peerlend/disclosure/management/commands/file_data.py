"""``peerlend file-data --month YYYY-MM --out FILE``: write the month's signed loan-level filing (JSON Lines)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.clock import business_date
from peerlend.disclosure.filing.export import filing_lines
from peerlend.disclosure.monthly.periods import month_end, parse_month
from peerlend.errors import ApplicationError
from peerlend.querylog import without_query_log


class Command(BaseCommand):
    help = "Write the signed JSON Lines filing of a finished month (schema: docs/data-filing.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if month_end(month) >= business_date():
            raise CommandError("the month is not over yet")
        lines = 0
        with without_query_log(), open(options["out"], "wb") as out:
            for line in filing_lines(month):
                out.write(line)
                lines += 1
        self.stdout.write(f"{options['month']}: {lines} lines written to {options['out']}")
