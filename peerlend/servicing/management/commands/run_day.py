"""``peerlend run-day --date YYYY-MM-DD [--until YYYY-MM-DD] [--chunk N]``: the daily servicing batch."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.ledger import outbox
from peerlend.querylog import without_query_log
from peerlend.servicing.batch import DEFAULT_CHUNK, run_days


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = ("Run the daily batch for a business date (or each date up to --until): expire listings, auto-debit, "
            "aging, late fees, penalty interest, compensation, charge-off, reminders. Safe to re-run.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, help="business date YYYY-MM-DD")
        parser.add_argument("--until", help="run every date from --date to this one (inclusive)")
        parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="loans per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["date"])
        until = _date(options["until"]) if options.get("until") else start
        if until < start:
            raise CommandError("--until must not be before --date")
        with without_query_log():
            days = run_days(start, until, chunk_size=max(1, options["chunk"]))
        for day, summary in days.items():
            self.stdout.write(f"{day.isoformat()} {json.dumps(summary, sort_keys=True)}")
        # Retry what the outbox could not send at the time (gateway down, ...).
        self.stdout.write("outbox " + json.dumps(outbox.send_pending().as_dict(), sort_keys=True))
