"""``peerlend reconcile-points [--date YYYY-MM-DD]``: each service point's cash day, expected vs counted.

Read-only: prints one JSON line per point that took money or closed the day (default: the business
date), and exits with status 1 when any point shows a difference or has not closed the day.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.clock import business_date
from peerlend.servicing.point_close import as_dict, reconciliation


class Command(BaseCommand):
    help = "List each service point's counted cash against the clearing account's movements for a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="business date YYYY-MM-DD (default: today's business date)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options.get("date") else business_date()
        except ValueError as exc:
            raise CommandError(f"not a date (YYYY-MM-DD): {options['date']!r}") from exc
        rows = reconciliation(day)
        for row in rows:
            self.stdout.write(json.dumps(as_dict(row), sort_keys=True))
        open_items = [r for r in rows if r.status != "matched"]
        self.stdout.write(f"{day.isoformat()}: {len(rows)} point(s), {len(open_items)} to follow up")
        if open_items:
            raise SystemExit(1)
