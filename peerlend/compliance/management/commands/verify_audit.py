"""``peerlend verify-audit``: recompute the hash chains of the audit log and of the regulator access log.

Prints each violation, then one line per chain; exits 1 if either chain is broken.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from peerlend.compliance.selectors import ChainReport, verify_chains


def _summary(report: ChainReport) -> str:
    state = "chain intact" if report.intact else f"{len(report.violations)} violation(s)"
    return f"{report.chain.name}: {report.count} {report.chain.rows}, {state}"


class Command(BaseCommand):
    help = ("Verify the hash chains of the audit log and of the regulator access log "
            "(an edited, removed or reordered row breaks them).")

    def handle(self, *args: Any, **options: Any) -> None:
        reports = verify_chains()
        for report in reports:
            for message in report.violations:
                self.stdout.write(message)
        self.stdout.write("verify-audit: " + "; ".join(_summary(report) for report in reports))
        if not all(report.intact for report in reports):
            sys.exit(1)
