"""``peerlend commissions --month YYYY-MM [--no-payout]``: book (and pay) one month's agent commissions.

Idempotent per (agent, month, rule): running a month again books nothing new and pays only what is
still unpaid. run-day does the same for the previous month once (step ``marketing.commissions``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.errors import ApplicationError
from peerlend.marketing.staff.commissions import book_month
from peerlend.marketing.staff.months import parse_month


class Command(BaseCommand):
    help = "Compute, book in the ledger and pay out the agents' commissions of one month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--no-payout", action="store_true", help="book only; pay later")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
            result = book_month(month, payout=not options["no_payout"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"commissions {month:%Y-%m}: {result.booked} booked, {result.already} already booked, "
                          f"{result.paid} paid out, total {result.total_minor} minor units")
