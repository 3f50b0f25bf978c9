"""``peerlend train-model``: fit the credit model, write the JSON artifact and the model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Train the credit model on Lending Club data (artifact and docs/model-card.md), or with --target the "
            "same pipeline on any tabular CSV (artifact only).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--data", type=Path, help="Lending Club CSV (default: <data dir>/lending_club_2016q1.csv)")
        parser.add_argument("--german", type=Path, help="German credit CSV (default: <data dir>/german_credit.csv)")
        parser.add_argument("--no-german", action="store_true", help="skip the German credit check")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--out", type=Path, help="artifact path (default: the package's credit_model.json)")
        parser.add_argument("--card", type=Path, help="model card path (default: docs/model-card.md)")
        parser.add_argument("--no-card", action="store_true", help="write only the artifact")
        parser.add_argument("--target", help="any tabular CSV: the outcome column (needs --data and --out)")
        parser.add_argument("--bad-value", help="the target value that means bad (default: 1 of 1/0, bad of bad/good)")
        parser.add_argument("--exclude", nargs="+", default=[], metavar="COLUMN",
                            help="columns that must not be inputs (protected attributes, identifiers)")
        parser.add_argument("--from-platform", action="store_true",
                            help="fit a challenger on the platform's matured loans and store it for a risk "
                                 "officer's decision (docs/retraining.md)")
        parser.add_argument("--horizon-months", type=int, default=12,
                            help="--from-platform: outcome window after disbursement, 3..60 months (default 12)")
        parser.add_argument("--min-bad", type=int, default=30,
                            help="--from-platform: bad loans needed before a challenger is stored, 1..100000 "
                                 "(default 30)")
        parser.add_argument("--as-of", help="--from-platform: YYYY-MM-DD (default: the business date)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            from peerlend.scoring import training
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise CommandError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc

        if opts["from_platform"]:
            from peerlend.scoring.management.commands._from_platform import train_from_platform_command

            train_from_platform_command(self, opts)
            return
        if opts["target"]:
            self._train_table(opts)
            return
        data_dir = training.default_data_dir()
        data = opts["data"] or data_dir / "lending_club_2016q1.csv"
        german = None if opts["no_german"] else (opts["german"] or data_dir / "german_credit.csv")
        for p in (data, german):
            if p is not None and not p.is_file():
                raise CommandError(f"data file not found: {p}")
        root = training.repo_root()
        out = opts["out"] or root / "peerlend" / "scoring" / "artifacts" / "credit_model.json"
        card = opts["card"] or root / "docs" / "model-card.md"

        result = training.train(data, seed=opts["seed"], german_path=german)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.artifact_text, encoding="utf-8")
        self.stdout.write(f"artifact {out} ({len(result.artifact_text.encode())} bytes), "
                          f"version {result.artifact['model_version']}")
        cv = result.cv
        for label, m in (("model", cv["model"]), ("sub_grade", cv["benchmark"])):
            self.stdout.write(
                f"{label:10s} AUC {m['auc']['mean']:.4f} ± {m['auc']['std']:.4f}  "
                f"KS {m['ks']['mean']:.4f} ± {m['ks']['std']:.4f}  "
                f"Gini {m['gini']['mean']:.4f} ± {m['gini']['std']:.4f}"
            )
        if result.german:
            g = result.german["cv"]
            self.stdout.write(f"german     AUC {g['auc']['mean']:.4f} ± {g['auc']['std']:.4f}")
        if not opts["no_card"]:
            png = card.with_name(card.stem + "-calibration.png")
            card.parent.mkdir(parents=True, exist_ok=True)
            training.plot_calibration(result, png)
            card.write_text(training.model_card(result, png.name), encoding="utf-8")
            self.stdout.write(f"model card {card}, plot {png}")

    def _train_table(self, opts: dict[str, Any]) -> None:
        from peerlend.scoring.tabular import TableError
        from peerlend.scoring.training.tabular import train_table

        data, out = opts["data"], opts["out"]
        if data is None or out is None:
            raise CommandError("--target needs --data FILE.csv and --out ARTIFACT.json")
        if not data.is_file():
            raise CommandError(f"data file not found: {data}")
        try:
            artifact, _ = train_table(data, opts["target"], opts["bad_value"], opts["exclude"], seed=opts["seed"])
        except TableError as exc:
            raise CommandError(f"{data}: {exc}") from None
        from peerlend.scoring.training import dump_artifact

        out.parent.mkdir(parents=True, exist_ok=True)
        text = dump_artifact(artifact)
        out.write_text(text, encoding="utf-8")
        sel = artifact["selection"]
        self.stdout.write(f"artifact {out} ({len(text.encode())} bytes), version {artifact['model_version']}")
        for name, m in sel["outer_folds"].items():
            self.stdout.write(f"{name:18s} outer-fold AUC {m['auc']['mean']:.4f} ± {m['auc']['std']:.4f}  "
                              f"hold-out AUC {sel['holdout_auc'][name]:.4f}")
