"""``peerlend verify-audit``: recompute the audit log's hash chain from the first row; exit 1 if broken."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from peerlend.compliance.models import AuditEvent
from peerlend.compliance.selectors import verify_audit_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (an edited, removed or reordered row breaks it)."

    def handle(self, *args: Any, **options: Any) -> None:
        violations = verify_audit_chain()
        for message in violations:
            self.stdout.write(message)
        if violations:
            self.stdout.write(f"verify-audit: {len(violations)} violation(s)")
            sys.exit(1)
        self.stdout.write(f"verify-audit: intact — {AuditEvent.objects.count()} events checked")
