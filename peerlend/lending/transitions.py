"""The one place a loan's status changes.

Every status change, whatever the use case (review, funding, expiry, cancellation,
disbursement, repayment, delinquency, charge-off), goes through this module:

* :func:`transition_loan` - the general form: the domain state machine
  (``peerlend.domain.lifecycle``) decides whether the move is allowed, the row is updated by
  compare-and-set on (status, version), and, for a named action, one audit event is written whose
  old and new values are read from the loan object (which the compare-and-set proved equal to the
  row at the moment of the update).
* :func:`add_to_listing` - the funding race's single conditional UPDATE (one statement, no row
  read first), which moves a listing to ``funded`` exactly when the last unit is taken.
* :func:`close_listing` - closes a listing (expired or cancelled) only if no note slipped in since
  its notes were read.

A status change anywhere else is a defect (``tests/lending/test_transitions.py`` looks for one).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from peerlend.domain.lifecycle import IllegalTransition, LoanStatus, check_transition
from peerlend.domain_errors import domain_message
from peerlend.errors import Conflict
from peerlend.lending.models import Loan

__all__ = ["add_to_listing", "allowed", "close_listing", "transition_loan"]

_LISTING_CLOSED = frozenset({LoanStatus.EXPIRED, LoanStatus.CANCELLED})


def allowed(current: LoanStatus | str, target: LoanStatus | str) -> LoanStatus:
    """``target`` if the state machine allows ``current -> target``; else a 409 ``illegal_transition``."""
    try:
        return check_transition(current, target)
    except IllegalTransition as exc:
        raise Conflict(domain_message(exc), code="illegal_transition") from exc


def _snapshot(loan: Loan, names: list[str]) -> dict[str, Any]:
    return {name: getattr(loan, name) for name in names}


def transition_loan(
    loan: Loan,
    target: LoanStatus,
    *,
    action: str = "",
    actor: Any = None,
    reason: str = "",
    **fields: Any,
) -> LoanStatus:
    """Move ``loan`` to ``target`` (setting ``fields`` with it); return the status it left.

    Refused with 409 ``illegal_transition`` when the state machine forbids the move and 409
    ``stale`` when the row no longer has the status and version of ``loan`` (someone else changed
    it since it was read). With an ``action`` (e.g. ``"loan.approve"``) an audit event records
    who did it, why, and the status, version and ``fields`` before and after, read from ``loan``.
    Call it inside the use case's transaction so the audit event commits with the change.
    """
    old_status = LoanStatus(loan.status)
    target = allowed(old_status, target)
    audited = ["status", "version", *fields]
    old = _snapshot(loan, audited) if action else {}
    updated = Loan.objects.filter(pk=loan.pk, status=loan.status, version=loan.version).update(
        status=target, version=F("version") + 1, **fields
    )
    if updated != 1:
        raise Conflict(_("the loan changed meanwhile; reload the page and try again"), code="stale")
    loan.status = target
    loan.version += 1
    for name, value in fields.items():
        setattr(loan, name, value)
    if action:
        from peerlend.compliance.services import record_audit

        record_audit(actor=actor, action=action, target=loan, old=old, new=_snapshot(loan, audited), reason=reason)
    return old_status


def add_to_listing(loan_id: int, amount_minor: int) -> LoanStatus | None:
    """Add a note's amount to a listed loan if it still fits; the loan's new status, or None if it did not.

    One conditional UPDATE (still listed, room left) that also answers whether this note filled
    the loan (``RETURNING``, on SQLite 3.35+ and PostgreSQL): the status becomes ``funded`` exactly
    when the amount reaches the loan's. SET expressions read the row as it was before the update.
    It is the hot spot every investor of a loan shares, hence one statement and no read first.
    """
    allowed(LoanStatus.LISTED, LoanStatus.FUNDED)
    q = connection.ops.quote_name
    table = q(Loan._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET funded_minor = funded_minor + %s, "  # noqa: S608 - our identifiers
            "status = CASE WHEN amount_minor = funded_minor + %s THEN %s ELSE status END, version = version + 1 "
            "WHERE id = %s AND status = %s AND funded_minor <= amount_minor - %s RETURNING status",
            [amount_minor, amount_minor, LoanStatus.FUNDED.value, loan_id, LoanStatus.LISTED.value, amount_minor],
        )
        row = cursor.fetchone()
    return None if row is None else LoanStatus(row[0])


def close_listing(
    loan_id: int, target: LoanStatus, *, funded_minor: int, action: str = "", actor: Any = None, reason: str = "",
    **fields: Any,
) -> Loan | None:
    """Close a listing (``expired`` or ``cancelled``) if it is still listed with ``funded_minor`` taken.

    Locks the loan row and reads it, so the audit (with an ``action``) shows the row as it was.
    None when the row moved on: a note slipped in (the caller reads the notes again) or the
    listing closed another way. The funded amount returns to zero: the caller refunds the notes.
    """
    if target not in _LISTING_CLOSED:
        raise ValueError(f"a listing closes as expired or cancelled, not {target}")
    allowed(LoanStatus.LISTED, target)
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None or loan.status != LoanStatus.LISTED or loan.funded_minor != funded_minor:
        return None
    transition_loan(loan, target, action=action, actor=actor, reason=reason, funded_minor=0, **fields)
    return loan
