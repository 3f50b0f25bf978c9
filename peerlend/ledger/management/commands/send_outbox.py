"""``peerlend send-outbox [--now] [--retry-failed]``: send what the outbox holds (safe to re-run)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlend.ledger import outbox
from peerlend.ledger.models import OutboxMessage


class Command(BaseCommand):
    help = ("Send pending outbox messages of every kind (gateway payout requests, member links and codes, "
            "e-mail and SMS notices) that are due; a failed send stays "
            "pending and is retried with a growing delay, up to PEERLEND_OUTBOX_MAX_ATTEMPTS times.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="send every pending message, ignoring the back-off")
        parser.add_argument("--retry-failed", action="store_true",
                            help="give messages that ran out of attempts a fresh set first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            self.stdout.write(f"requeued {outbox.requeue_failed()} failed message(s)")
        summary = outbox.send_pending(due_only=not options["now"])
        self.stdout.write("outbox " + json.dumps(summary.as_dict(), sort_keys=True))
        for message in OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by("pk")[:50]:
            self.stdout.write(f"failed {message.pk} {message.kind} {json.dumps(message.payload)}: {message.last_error}")
