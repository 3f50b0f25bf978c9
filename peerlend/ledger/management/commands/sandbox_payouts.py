"""``peerlend sandbox-payouts [--settle ID ...] [--fail ID ...] [--settle-all]``: the sandbox bank's console."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.ledger import selectors
from peerlend.ledger.gateway import sandbox, sandbox_enabled
from peerlend.ledger.models import Withdrawal


class Command(BaseCommand):
    help = "List pending sandbox payouts, or settle / fail them (delivers signed payout callbacks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--settle", nargs="*", default=[], help="withdrawal ids to pay out")
        parser.add_argument("--fail", nargs="*", default=[], help="withdrawal ids to bounce")
        parser.add_argument("--settle-all", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not sandbox_enabled():
            raise CommandError("the sandbox gateway is not the configured gateway (or this is production)")
        pending = list(selectors.pending_withdrawals())
        todo: list[tuple[Withdrawal, bool]] = []
        if options["settle_all"]:
            todo += [(w, True) for w in pending]
        todo += [(w, True) for w in Withdrawal.objects.filter(public_id__in=options["settle"])]
        todo += [(w, False) for w in Withdrawal.objects.filter(public_id__in=options["fail"])]
        if not todo:
            for w in pending:
                self.stdout.write(f"{w.public_id} user={w.user_id} amount_minor={w.amount_minor}")
            self.stdout.write(f"{len(pending)} pending payout(s)")
            return
        for withdrawal, succeed in todo:
            status, body = sandbox.settle_payout(withdrawal, succeed=succeed)
            self.stdout.write(f"{withdrawal.public_id}: {status} {body}")
