"""Simulator throughput on SQLite: wall time of `peerlend simulate` on a fresh database.

Goal (issue: marketplace simulator): 36 months, 2,000 borrowers and 500 investors in under
10 minutes on a 2-core machine. Prints the wall time, days per second and the report's
headline figures.

Usage: .venv/bin/python bench/simulation.py [--months 36] [--borrowers 2000] [--investors 500] [--agents 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERLEND = str(ROOT / ".venv" / "bin" / "peerlend")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--borrowers", type=int, default=2000)
    parser.add_argument("--investors", type=int, default=500)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "PEERLEND_VAR_DIR": tmp}
        subprocess.run([PEERLEND, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        run = subprocess.run(
            [PEERLEND, "simulate", "--json", "--seed", str(args.seed), "--months", str(args.months),
             "--borrowers", str(args.borrowers), "--investors", str(args.investors), "--agents", str(args.agents)],
            env=env, capture_output=True, text=True,
        )
        wall_s = time.perf_counter() - started
    if run.returncode not in (0, 1) or not run.stdout.strip():
        print(run.stderr[-2000:])
        sys.exit(1)
    report = json.loads(run.stdout)
    days = args.months * 30.4
    print(f"simulate: {args.months} months, {args.borrowers} borrowers, {args.investors} investors on SQLite")
    print(f"wall time: {wall_s:.1f} s ({days / wall_s:.1f} simulated days/s); goal: < 600 s")
    print(f"originated: {report['originated']['loans']} loans, {report['originated']['volume']} CNY; "
          f"loans by status: {report['loans_by_status']}")
    print(f"activity: {report['activity']}")
    m = report.get("marketing")
    if m:
        print(f"marketing: cost {m['cost']} CNY (ledger {m['ledger_marketing_expense']}), coupons issued "
              f"{m['coupons']['issued']} redeemed {m['coupons']['redeemed']}, points issued {m['points']['issued']} "
              f"redeemed {m['points']['redeemed']} expired {m['points']['expired']}, commission "
              f"{m['agents']['commission']['booked']} CNY")
    print(f"audit: {'clean' if report['audit']['clean'] else report['audit']['violations']}")


if __name__ == "__main__":
    main()
