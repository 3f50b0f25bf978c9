"""``peerlend rotate-pii-key``: re-encrypt all stored PII under the newest key of PEERLEND_PII_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlend.accounts.services import rotate_pii_keys


class Command(BaseCommand):
    help = "Re-encrypt every stored PII value with the first key of PEERLEND_PII_KEY (newest first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = rotate_pii_keys(batch_size=options["batch_size"])
        self.stdout.write(f"re-encrypted {changed} identities with the newest key")
