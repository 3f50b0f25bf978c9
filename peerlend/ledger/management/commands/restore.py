"""``peerlend restore PATH [--force]``: load a backup into the configured database, then audit the books."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from peerlend.ledger import backup
from peerlend.ledger.audit import run_audit, totals
from peerlend.ledger.backup import BackupRefused


class Command(BaseCommand):
    help = ("Restore a backup made by `peerlend backup` into the configured database (refuses one that holds "
            "data unless --force), then run the ledger audit; exits 1 unless the books are clean.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="backup file to load")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            info = backup.restore(options["path"], force=options["force"])
        except BackupRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored {info.describe()}")
        self.stdout.write(f"into {backup.describe_target()}")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            # An older backup: the audit may trip over the missing schema until it is migrated.
            self.stdout.write(f"note: {len(pending)} migration(s) not applied yet; run `peerlend migrate`")
        violations = run_audit()
        if violations:
            for v in violations:
                self.stdout.write(f"{v.check}: {v.message}")
            self.stdout.write(f"audit: {len(violations)} violation(s)")
            sys.exit(1)
        entries, postings, accounts = totals()
        self.stdout.write(f"audit: clean — {entries} entries, {postings} postings, {accounts} accounts checked")
