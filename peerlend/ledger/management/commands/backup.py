"""``peerlend backup PATH [--force]``: a consistent copy of the configured database, safe while the server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.ledger import backup
from peerlend.ledger.backup import BackupRefused


class Command(BaseCommand):
    help = ("Back up the configured database: SQLite through its online backup API, PostgreSQL with "
            "pg_dump --format=custom. Prints size, tables and a SHA-256 checksum.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="file to write")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file at PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            info = backup.backup(options["path"], force=options["force"])
        except BackupRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"backup of {backup.describe_target()}")
        self.stdout.write(f"wrote {info.describe()}")
