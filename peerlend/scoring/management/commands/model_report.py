"""``peerlend model-report [--month YYYY-MM] [--base YYYY-MM:YYYY-MM] [--json]``: the model monitoring report.

PSI of the score, grade and each model input against the reference months, calibration by grade and
vintage, approval and override rates by channel and service point (definitions:
``peerlend.scoring.monitoring.report``). Read only. Default month: the latest complete one.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from peerlend.clock import business_date
from peerlend.scoring.monitoring.report import (
    ModelReport,
    RateRow,
    build_report,
    latest_complete_month,
    parse_base,
    parse_month,
)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "Model monitoring for one month: PSI, calibration by grade, approval and override rates."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: the latest complete month)")
        parser.add_argument("--base", help="reference months YYYY-MM:YYYY-MM (default: the current model "
                                           "version's first 3 months)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = business_date()
        try:
            month = parse_month(opts["month"]) if opts["month"] else latest_complete_month(today)
            base = parse_base(opts["base"]) if opts["base"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        report = build_report(month, today, base)
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        self._text(report)

    def _text(self, r: ModelReport) -> None:
        out = self.stdout.write
        out(_("Model report for %(month)s (as of %(as_of)s), model %(version)s") % {
            "month": r.month.strftime("%Y-%m"), "as_of": r.as_of.isoformat(), "version": r.model_version or "-"})
        ref = "-" if r.reference is None else f"{r.reference[0]:%Y-%m}..{r.reference[1]:%Y-%m}"
        out(_("Reference months %(ref)s: %(n_ref)s applications; this month: %(n)s") % {
            "ref": ref, "n_ref": r.n_reference, "n": r.n_month})
        out("")
        out(_("Population stability (PSI; above 0.25: act)"))
        for row in r.psi_rows:
            value = "-" if row.value is None else f"{row.value:.4f}"
            out(f"  {row.label:<40} {value:>8}  {row.level_label}")
        out("")
        out(_("Calibration by grade (bad = 90+ days past due, defaulted or charged off within %(h)s months)")
            % {"h": r.horizon_months})
        out("  " + _("Vintage  Grade  Loans  Predicted PD  Observed bad rate  Mature"))
        for c in r.calibration:
            mature = _("yes") if c.mature else _("no")
            out(f"  {c.vintage:%Y-%m}  {c.grade:<5}  {c.loans:>5}  {_pct(c.predicted):>12}  "
                f"{_pct(c.observed):>17}  {mature}")
        self._rates(_("By channel"), r.by_channel)
        self._rates(_("By service point"), r.by_point)
        if r.alerts:
            out("")
            out(_("ALERT: PSI above 0.25 for %(names)s") % {"names": ", ".join(a.label for a in r.alerts)})

    def _rates(self, title: str, rows: list[RateRow]) -> None:
        out = self.stdout.write
        out("")
        out(title)
        out("  " + _("Applications  Decided  Approval rate  Officer decisions  Overrides  Override rate"))
        for row in rows:
            out(f"  {row.label}: {row.applications}  {row.decided}  {_pct(row.approval_rate)}  "
                f"{row.officer_decisions}  {row.overrides}  {_pct(row.override_rate)}")
