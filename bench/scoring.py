"""Scoring throughput: one application at a time through scoring.services.score(), and in
batch through `peerlend score-file` on the Lending Club file repeated to 100,000 rows, and
`peerlend score-file --model` with the shipped tabular (Taiwan credit card) artifact on as many
rows drawn within its inputs' training ranges.

    .venv/bin/python bench/scoring.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from peerlend.scoring.lc import facts_from_lc_row  # noqa: E402
from peerlend.scoring.retraining.live import live_model  # noqa: E402
from peerlend.scoring.services import score  # noqa: E402

#: The goal for `peerlend score-file`: a whole file read, scored and written at this rate or faster.
BATCH_GOAL_ROWS_PER_S = 50_000


def main() -> None:
    parser = argparse.ArgumentParser()
    from peerlend.datasets import data_dir as shipped_data_dir

    data_dir = shipped_data_dir()
    parser.add_argument("--data", type=Path, default=data_dir / "lending_club_2016q1.csv")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with args.data.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    facts = [facts_from_lc_row(dict(zip(header, r, strict=True)))[0] for r in rows]

    model = live_model()  # the model intake scores with, read once (score-file reads it the same way)
    score(facts[0], model)
    t0 = time.perf_counter()
    for f in facts:
        score(f, model)
    one = time.perf_counter() - t0
    print(f"one by one via score(): {len(facts)} applications in {one:.3f} s = {len(facts) / one:,.0f} /s "
          f"({one / len(facts) * 1e6:.1f} µs each)")

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            n = 0
            while n < args.rows:
                chunk = rows[: args.rows - n]
                w.writerows(chunk)
                n += len(chunk)
        t0 = time.perf_counter()
        call_command("score_file", str(src), str(dst), stdout=open(os.devnull, "w"))  # noqa: SIM115
        batch = time.perf_counter() - t0
    print(f"batch via score-file: {n:,} rows in {batch:.3f} s = {n / batch:,.0f} rows/s (read, score, write)")
    print(f"batch goal >= {BATCH_GOAL_ROWS_PER_S:,} rows/s: {n / batch:,.0f} rows/s = "
          f"{n / batch / BATCH_GOAL_ROWS_PER_S:.2f}x the goal; batch/one-by-one {one / len(facts) / (batch / n):.1f}x")
    tabular_bench(args.rows)


def tabular_bench(n: int) -> None:
    import random
    from importlib import resources

    from peerlend.scoring.tabular import load_tabular_model

    art = resources.files("peerlend.scoring.artifacts").joinpath("taiwan_credit_card.json")
    if not art.is_file():
        print("score-file --model: no tabular artifact shipped")
        return
    model = load_tabular_model(Path(str(art)))
    rng = random.Random(1)
    distinct = [[f"{rng.uniform(i.lo, i.hi):.0f}" for i in model.inputs] for _ in range(5000)]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(model.columns)
            w.writerows(distinct[i % len(distinct)] for i in range(n))
        t0 = time.perf_counter()
        call_command("score_file", str(src), str(dst), "--model", str(art),
                     stdout=open(os.devnull, "w"))  # noqa: SIM115
        took = time.perf_counter() - t0
    row = {c: float(v) for c, v in zip(model.columns, distinct[0], strict=True)}
    t0 = time.perf_counter()
    for _ in range(1000):
        model.score_values(row)
    single = (time.perf_counter() - t0) / 1000
    print(f"score-file --model {art.name}: {n:,} rows in {took:.3f} s = {n / took:,.0f} rows/s "
          f"(goal >= {BATCH_GOAL_ROWS_PER_S:,}); one row in pure Python {single * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
