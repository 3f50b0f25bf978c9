"""``peerlend expire-listings [--date YYYY-MM-DD]``: close listings whose funding window has passed.

Pages and API reads never expire a listing; this job (run it every few minutes from cron or a
systemd timer) and ``run-day`` do. Each listing closes in its own transaction and every pending
note is refunded exactly; a listing already closed is left alone, so the job is safe to re-run.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.clock import business_date
from peerlend.lending.services import expire_due_listings


class Command(BaseCommand):
    help = ("Expire the listings whose funding window has closed on the business date (today's by default) "
            "and refund their investors. Safe to re-run; meant to run every few minutes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="business date YYYY-MM-DD (default: the current business date)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = business_date()
        if options.get("date"):
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"not a date (YYYY-MM-DD): {options['date']!r}") from exc
        expired = expire_due_listings(day)
        self.stdout.write(f"{day.isoformat()} expired {expired} listing(s)")
