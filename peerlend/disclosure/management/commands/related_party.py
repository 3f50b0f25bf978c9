"""``peerlend related-party --user U --by OPERATOR --reason R (--since D | --until D)``: flag or end a related party."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.disclosure.monthly.related import end_related_party, flag_related_party
from peerlend.errors import ApplicationError


class Command(BaseCommand):
    help = "Flag a member as a related party of the platform from --since, or end the flag at --until (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the member's username")
        parser.add_argument("--by", required=True, help="the operator or compliance officer doing it")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD: flag from this business date")
        parser.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD: end the flag at this date")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        member = users.filter(username=options["user"]).first()
        actor = users.filter(username=options["by"], is_active=True).first()
        if member is None:
            raise CommandError("no such member")
        if actor is None or not {"operator", "compliance", "admin"} & set(actor.roles or []):
            raise CommandError("--by must name an active operator, compliance officer or administrator")
        if (options.get("since") is None) == (options.get("until") is None):
            raise CommandError("give exactly one of --since or --until")
        try:
            if options.get("since") is not None:
                flag_related_party(actor=actor, user=member, reason=options["reason"], since=options["since"])
            else:
                end_related_party(actor=actor, user=member, until=options["until"], reason=options["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{member.username}: done")
