"""Applications over the borrower's credit limit are refused, with the figures (issue 17).

Runs in the intake's transaction after the borrowing cap, before anything is written: the
application's own facts are scored (with the borrower's platform history) to get the PD the limit
uses, so a refused application leaves nothing behind.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError
from peerlend.lending.intake_rules import ApplicationInput, outstanding_for_cap
from peerlend.scoring.limits import BOUND_LABELS, limit_for_application
from peerlend.scoring.model import CreditModel


def check_credit_limit(borrower: User, borrower_type: str, data: ApplicationInput,
                       model: CreditModel | None = None) -> None:
    """Raise ``credit_limit`` (400) unless what is outstanding plus ``data.amount_minor`` fits the limit.

    ``model``: the one intake scores the application with (default: the live model).
    """
    limit, _pd = limit_for_application(data, borrower_id=borrower.pk, borrower_type=borrower_type,
                                       outstanding_minor=outstanding_for_cap(borrower), model=model)
    if limit.allows(data.amount_minor):
        return
    because = "; ".join(str(BOUND_LABELS[b.name]) for b in limit.binding)
    raise ApplicationError(
        _("credit limit exceeded: %(requested)s CNY requested, but your credit limit is %(limit)s CNY with "
          "%(outstanding)s CNY already outstanding or requested, so at most %(available)s CNY is available "
          "(limited by: %(because)s)")
        % {"requested": format_minor(data.amount_minor), "limit": format_minor(limit.limit_minor),
           "outstanding": format_minor(limit.outstanding_minor), "available": format_minor(limit.available_minor),
           "because": because},
        code="credit_limit",
        extra={"requested": format_minor(data.amount_minor), "limit": format_minor(limit.limit_minor),
               "outstanding": format_minor(limit.outstanding_minor),
               "available": format_minor(limit.available_minor),
               "bounds": [b.name for b in limit.binding]},
    )
