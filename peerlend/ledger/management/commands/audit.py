"""``peerlend audit [--json]``: check every ledger invariant; exit 1 on any violation."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlend.ledger.audit import registered_checks, run_audit, totals


class Command(BaseCommand):
    help = "Check the books (every entry balanced, balances = postings, no negative balances, custody mirror, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        violations = run_audit()
        entries, postings, accounts = totals()
        if options["json"]:
            self.stdout.write(json.dumps({
                "clean": not violations,
                "checks": sorted(registered_checks()),
                "entries": entries, "postings": postings, "accounts": accounts,
                "violations": [{"check": v.check, "message": v.message} for v in violations],
            }, indent=2))
        elif violations:
            for v in violations:
                self.stdout.write(f"{v.check}: {v.message}")
            self.stdout.write(f"audit: {len(violations)} violation(s)")
        else:
            self.stdout.write(
                f"audit: clean — {entries} entries, {postings} postings, {accounts} accounts checked"
            )
        if violations:
            sys.exit(1)
