"""``peerlend statements --month YYYY-MM | --year YYYY``: store every member's statement for a closed period.

Every member with ledger accounts gets one file per format. Idempotent: a statement already stored at
the current generator version is left as it is, unless ``--force``. The progress bar goes to stderr,
only on a terminal and never with ``--quiet``.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.ledger.models import AccountKind, LedgerAccount
from peerlend.ledger.statements import services
from peerlend.ledger.statements.periods import Period, check_closed, parse_period


class Command(BaseCommand):
    help = "Generate and store members' statements for a closed month (--month YYYY-MM) or year (--year YYYY)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="a closed calendar month, YYYY-MM")
        which.add_argument("--year", help="a closed calendar year, YYYY")
        parser.add_argument("--format", action="append", choices=sorted(services.RENDERERS),
                            help="only this format (repeatable); all formats by default")
        parser.add_argument("--member", type=int, action="append", help="only this member id (repeatable)")
        parser.add_argument("--force", action="store_true", help="render stored statements again and replace them")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["month"] if options["month"] is not None else options["year"]
        try:
            period = parse_period(text)
            if (options["month"] is None) != (period.kind == "year"):
                raise CommandError(f"{text!r} is not a {'month (YYYY-MM)' if options['month'] else 'year (YYYY)'}")
            # The period itself must be over; each member's joining date is checked per member below.
            check_closed(period, business_date(), period.start)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        formats = options["format"] or sorted(services.RENDERERS)
        members = self._members(options["member"])
        created = kept = skipped = 0
        failed: list[str] = []
        bar = tqdm(members, desc=f"statements {period.code}", unit="member", file=sys.stderr,
                   disable=options["quiet"] or not sys.stderr.isatty())
        for member in bar:
            try:
                c, k = self._one(member, period, formats, force=options["force"])
            except ApplicationError as exc:
                if exc.code == "period_before_joining":
                    skipped += 1
                    continue
                failed.append(f"member {member.pk}: {exc.message}")
                continue
            created, kept = created + c, kept + k
        bar.close()
        self.stdout.write(f"statements {period.code}: {created} generated, {kept} already stored, "
                          f"{skipped} members skipped (joined after the period), {len(failed)} failed")
        for line in failed:
            self.stderr.write(line)
        if failed:
            sys.exit(1)

    def _members(self, only: list[int] | None) -> list[User]:
        owners = LedgerAccount.objects.filter(kind__in=[AccountKind.AVAILABLE, AccountKind.FROZEN],
                                              owner__isnull=False).values("owner_id")
        rows = User.objects.filter(pk__in=owners).order_by("pk")
        if only:
            rows = rows.filter(pk__in=only)
        return list(rows)

    def _one(self, member: User, period: Period, formats: list[str], *, force: bool) -> tuple[int, int]:
        outcomes = services.generate_in_member_language(member, period, formats, force=force)
        created = sum(1 for outcome in outcomes if outcome.created)
        return created, len(outcomes) - created
