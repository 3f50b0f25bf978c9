from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlend.querylog import without_query_log
from peerlend.simulation.demo import demo_already_seeded, seed_demo


class Command(BaseCommand):
    help = "Seed the demo marketplace once (no-op when already seeded); prints the demo logins once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password for every demo login (default: the README's)")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_already_seeded():
            self.stdout.write("demo data already present; nothing seeded")
            return
        self.stdout.write("Seeding the demo marketplace (a few months of simulated history)...")
        if options["verbosity"] < 2:
            logging.getLogger("peerlend").setLevel(logging.WARNING)
        with without_query_log():
            logins = seed_demo(password=options["password"])
        self.stdout.write(self.style.SUCCESS("Demo marketplace seeded. Logins (shown once):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.username:<18} {login.password}")
