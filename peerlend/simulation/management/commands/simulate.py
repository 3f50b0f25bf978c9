from __future__ import annotations

import json
import logging
import sys
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.querylog import without_query_log
from peerlend.simulation.engine import SimConfig, Simulator


class Command(BaseCommand):
    help = "Simulate the marketplace for some months through the platform's own services, then report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--borrowers", type=int, default=200)
        parser.add_argument("--investors", type=int, default=50)
        parser.add_argument("--agents", type=int, default=4)
        parser.add_argument("--guarantee", choices=("none", "risk_reserve"), default="none")
        parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 1, 6),
                            help="first business date (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--no-marketing", action="store_true",
                            help="no agents' targets, campaigns, coupons or points purchases")

    def handle(self, *args: Any, **opts: Any) -> None:
        for name in ("months", "borrowers", "investors"):
            if opts[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        if opts["agents"] < 0:
            raise CommandError("--agents cannot be negative")
        settings.PEERLEND["GUARANTEE_MODE"] = opts["guarantee"]
        if opts["verbosity"] < 2:
            # Per-event logs (callbacks, console SMS) would drown the report.
            logging.getLogger("peerlend").setLevel(logging.WARNING)
        config = SimConfig(seed=opts["seed"], months=opts["months"], borrowers=opts["borrowers"],
                           investors=opts["investors"], agents=opts["agents"], guarantee=opts["guarantee"],
                           start=opts["start"], marketing=not opts["no_marketing"])
        bar = _progress_bar() if sys.stderr.isatty() and not opts["json"] else None
        started = time.perf_counter()
        with without_query_log():
            report = Simulator(config, progress=bar).run()
        wall_s = time.perf_counter() - started
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        else:
            self.stdout.write(render_text(report))
        # Wall time goes to stderr: the JSON report stays identical for the same seed.
        self.stderr.write(f"simulated {config.months} months in {wall_s:.1f} s wall time")
        if not report["audit"]["clean"]:
            raise CommandError("audit failed: " + "; ".join(report["audit"]["violations"]))


def _progress_bar() -> Any:
    from tqdm import tqdm

    bar = tqdm(total=1, unit="day", file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def render_text(r: dict[str, Any]) -> str:
    lines = [
        f"peerlend simulation · seed {r['config']['seed']} · {r['config']['months']} months · "
        f"{r['config']['borrowers']} borrowers · {r['config']['investors']} investors · "
        f"guarantee {r['config']['guarantee']}",
        "",
        f"originated: {r['originated']['loans']} loans, {r['originated']['volume']} CNY "
        f"(notes sum {r['originated']['notes_sum']})",
    ]
    for channel, row in r["originated"]["by_channel"].items():
        lines.append(f"  {channel:<8} {row['loans']:>6} loans {row['volume']:>16} CNY")
    lines += ["", "grade  loans          volume  default  charge-off  net annualized return"]
    for grade, row in r["by_grade"].items():
        lines.append(f"  {grade}   {row['loans']:>5} {row['volume']:>15}  {row['default_rate']:>7}  "
                     f"{row['charge_off_rate']:>10}  {row['net_annualized_return'] or '-':>10}")
    lines += [
        "",
        f"loans by status: {r['loans_by_status']}",
        f"repayments: cash in {r['repayments']['cash_in']} = cash out {r['repayments']['cash_out']}"
        f" ({'balanced' if r['repayments']['balanced'] else 'NOT BALANCED'})",
        f"fee income: {r['fee_income']} CNY",
        f"risk reserve: {r['risk_reserve']['balance']} CNY, compensation paid {r['risk_reserve']['compensation_paid']}",
        *_investor_lines(r["investor_returns"]),
        *_marketing_lines(r.get("marketing")),
        f"audit: {'clean' if r['audit']['clean'] else 'FAILED'}",
    ]
    lines += [f"  {v}" for v in r["audit"]["violations"]]
    return "\n".join(lines)


def _investor_lines(returns: dict[str, Any]) -> list[str]:
    """The investors' returns: a summary line each for NAR and XIRR (median, min, max) and auto-invest."""
    s = returns["summary"]
    lines = [
        "",
        f"investors on {returns['as_of']}: {s['investors']}, {s['with_rules']} with auto-invest rules "
        f"({s['with_auto_notes']} of them bought notes)",
        f"  notes held {s['notes']}, auto-invested {s['auto_notes']} (in {s['loans_with_auto_notes']} loans)",
    ]
    for name in ("nar", "xirr"):
        row = s[name]
        lines.append(f"  {name.upper():<4} median {row['median'] or '-'}  min {row['min'] or '-'}  "
                     f"max {row['max'] or '-'}")
    return lines


def _marketing_lines(m: dict[str, Any] | None) -> list[str]:
    """Marketing: cost against the ledger, coupons, points, campaigns and each agent's month figures."""
    if not m:
        return []
    c, p, agents = m["coupons"], m["points"], m["agents"]
    lines = [
        "",
        f"marketing cost: {m['cost']} CNY (ledger marketing expense {m['ledger_marketing_expense']}, "
        f"{'balanced' if m['balanced'] else 'NOT BALANCED'}) {m['cost_by_kind']}",
        f"  coupons issued {c['issued']} {c['issued_by_source']}, redeemed {c['redeemed']} "
        f"{c['redeemed_by_channel']}, unused {c['unused']}",
        f"  points issued {p['issued']}, redeemed {p['redeemed']}, expired {p['expired']}, "
        f"reversed {p['reversed']}, balance {p['balance']}",
    ]
    for row in m["campaigns"]:
        lines.append(f"  campaign {row['name']!r} ({row['segment']}, {row['reward']}): reached {row['reached']}, "
                     f"left out {row['left_out']}, spent {row['spent']} of {row['budget']}, "
                     f"coupons redeemed {row['coupons_redeemed']}")
    commission = agents["commission"]
    lines.append(f"agents ({agents['months'][0]} to {agents['months'][-1]}): commission {commission['booked']} CNY "
                 f"(ledger {commission['ledger_commission_expense']}); actual/target (completion %)")
    for row in agents["by_agent"]:
        cells = "  ".join(f"{name} {cell['actual']}/{cell['target']} ({cell['completion'] or '-'})"
                          for name, cell in row["metrics"].items())
        lines.append(f"  {row['agent']} @ {row['point'] or '-'}: {cells}; commission {row['commission']}")
    return lines
