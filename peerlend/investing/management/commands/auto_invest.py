"""``peerlend auto-invest [--loan N]``: run the auto-invest rules now over every open listing (or one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.clock import business_date
from peerlend.domain.money import format_minor
from peerlend.investing.autoinvest.engine import listed_loan_ids, run_round
from peerlend.investing.models_autoinvest import RoundTrigger
from peerlend.querylog import without_query_log


class Command(BaseCommand):
    help = ("Run the auto-invest rules on every open listing (or --loan N) now. A loan's round runs once a "
            "business day per trigger: a second run the same day changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loan", type=int, help="only this loan (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        loan_id = options.get("loan")
        if loan_id is not None and loan_id <= 0:
            raise CommandError("--loan must be a positive loan id")
        ids = [loan_id] if loan_id is not None else listed_loan_ids(business_date())
        notes = amount = rounds = 0
        with without_query_log():
            for pk in ids:
                rnd = run_round(pk, RoundTrigger.COMMAND)
                if rnd is None:
                    self.stdout.write(f"loan {pk}: not open for investment")
                    continue
                rounds += 1
                notes += rnd.placed
                amount += rnd.placed_minor
                self.stdout.write(f"loan {pk}: {rnd.placed} notes placed ({format_minor(rnd.placed_minor)} CNY), "
                                  f"{rnd.skipped} investors skipped")
        self.stdout.write(f"auto-invest: {rounds} rounds, {notes} notes, {format_minor(amount)} CNY")
