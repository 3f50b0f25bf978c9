"""``peerlend disclose --month YYYY-MM`` (or ``--all``): publish monthly operating data; ``--correct`` re-versions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.clock import business_date
from peerlend.disclosure.monthly.periods import next_month, parse_month, previous_month
from peerlend.disclosure.monthly.publish import correct_month, publish_month
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan
from peerlend.querylog import without_query_log


class Command(BaseCommand):
    help = ("Publish the operating data of a month as of its month-end (a month already published is left "
            "as it is). --all publishes every month from the first disbursement to last month. "
            "--correct REASON --by USERNAME publishes a corrected version (audited).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--all", action="store_true", help="every month since the first disbursement")
        parser.add_argument("--correct", metavar="REASON", help="publish a corrected version, giving the reason")
        parser.add_argument("--by", metavar="USERNAME", help="the operator making the correction")

    def handle(self, *args: Any, **options: Any) -> None:
        today = business_date()
        try:
            if options.get("correct") is not None:
                self._correct(options, today)
                return
            if options.get("all"):
                first = Loan.objects.filter(disbursed_on__isnull=False).order_by("disbursed_on").first()
                months = []
                if first is not None:
                    month, last = first.disbursed_on.replace(day=1), previous_month(today)
                    while month <= last:
                        months.append(month)
                        month = next_month(month)
            elif options.get("month"):
                months = [parse_month(options["month"])]
            else:
                raise CommandError("give --month YYYY-MM or --all")
            with without_query_log():
                for month in months:
                    snap = publish_month(month, today=today)
                    self.stdout.write(f"{month:%Y-%m}: version {snap.version} published on {snap.published_on} "
                                      f"(sha256 {snap.sha256[:12]})")
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

    def _correct(self, options: dict[str, Any], today: Any) -> None:
        if not options.get("month") or not options.get("by"):
            raise CommandError("a correction needs --month and --by USERNAME")
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if user is None or not _is_operator(user):
            raise CommandError("--by must name an active operator")
        snap = correct_month(parse_month(options["month"]), actor=user, reason=options["correct"], today=today)
        self.stdout.write(f"{snap.month:%Y-%m}: version {snap.version} published (corrects {snap.supersedes_id})")


def _is_operator(user: Any) -> bool:
    from peerlend.accounts.models import Role

    return bool(getattr(user, "has_role", None) and (user.has_role(Role.OPERATOR) or user.has_role(Role.ADMIN)))
