"""``peerlend grant-role USER ROLE --by ACTOR --reason TEXT``: the audited way to give a staff role.

``--bootstrap`` makes USER the first administrator while none exists (ROLE must be ``admin``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerlend.accounts import services
from peerlend.accounts.models import User
from peerlend.errors import ApplicationError


class Command(BaseCommand):
    help = "Grant a role to a user (audited). Use --bootstrap for the very first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role")
        parser.add_argument("--by", dest="actor", help="username of the admin or operator granting the role")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--bootstrap", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
            if options["bootstrap"]:
                if options["role"] != "admin":
                    raise CommandError("--bootstrap only grants the admin role")
                services.bootstrap_admin(user, options["reason"])
            else:
                if not options["actor"]:
                    raise CommandError("--by ACTOR is required")
                actor = User.objects.get(username=options["actor"])
                services.grant_role(actor, user, options["role"], options["reason"])
        except User.DoesNotExist:
            raise CommandError("no such user") from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{user.username} now has roles: {', '.join(User.objects.get(pk=user.pk).roles)}")
