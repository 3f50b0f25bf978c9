"""``peerlend score-file INPUT.csv OUTPUT.csv``: score every row of a Lending Club-style CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Score each row of a CSV with Lending Club columns; write the rows with pd, score, grade, price, reasons."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        from peerlend.scoring.batch import score_file

        src: Path = opts["input"]
        if not src.is_file():
            raise CommandError(f"input file not found: {src}")
        result = score_file(src, opts["output"], stderr=self.stderr)
        self.stdout.write(f"scored {result.rows} rows into {opts['output']}; {result.rows_with_errors} with errors")
