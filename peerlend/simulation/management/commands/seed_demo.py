from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlend.simulation.demo import seed_demo


class Command(BaseCommand):
    help = "Seed the demo marketplace once (no-op when already seeded); prints the demo logins once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password for every demo login (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo(password=options["password"])
        if not logins:
            self.stdout.write("demo data already present; nothing seeded")
            return
        self.stdout.write(self.style.SUCCESS("Demo marketplace seeded. Logins (shown once):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.username:<18} {login.password}")
