"""``peerlend score-file INPUT.csv OUTPUT.csv``: score every row of a Lending Club-style CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Score each row of a CSV with the live credit model (the approved retrained candidate, else the shipped "
            "model; Lending Club columns) or with --model any trained artifact; write the rows with pd, score, "
            "grade, reasons (and price for the platform's model).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument("--model", type=Path,
                            help="artifact JSON (default: the live credit model, the one intake scores with)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peerlend.scoring.batch import score_file

        src: Path = opts["input"]
        if not src.is_file():
            raise CommandError(f"input file not found: {src}")
        model = None
        if opts["model"] is not None:
            model = self._load(opts["model"])
            from peerlend.scoring.tabular import TableError, TabularModel, score_table_file

            if isinstance(model, TabularModel):
                try:
                    rows = score_table_file(model, src, opts["output"])
                except TableError as exc:
                    raise CommandError(f"{src}: {exc}") from None
                self.stdout.write(f"scored {rows} rows into {opts['output']} with {model.version}")
                return
        if model is None:
            from peerlend.scoring.retraining.live import live_model

            model = live_model()  # read once for the whole file
        result = score_file(src, opts["output"], stderr=self.stderr, model=model)
        self.stdout.write(f"scored {result.rows} rows into {opts['output']} with {model.version}; "
                          f"{result.rows_with_errors} with errors")

    def _load(self, path: Path) -> Any:
        import json

        from peerlend.scoring.model import CreditModel
        from peerlend.scoring.tabular import INPUT_KIND, TabularModel

        if not path.is_file():
            raise CommandError(f"model file not found: {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return TabularModel(data) if data.get("input_kind") == INPUT_KIND else CreditModel(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CommandError(f"{path}: not a credit model artifact ({exc})") from None
