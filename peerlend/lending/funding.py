"""Investing in a listed loan: the note, the frozen cash, and the note that fills the loan."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_kyc, require_role
from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.lending import limits as investment_limits
from peerlend.lending.disbursement import disburse_if_funded
from peerlend.lending.invest_checks import redeem_note_coupon, run_invest_checks
from peerlend.lending.listing_closure import expire_if_due
from peerlend.lending.models import Loan, Note
from peerlend.lending.service_support import loan_amount, once_per_key, rule
from peerlend.lending.transitions import add_to_listing, allowed
from peerlend.notify import notify


def invest(*, investor: User, loan_id: int, amount_minor: int, auto: bool = False,
           idempotency_key: str | None = None, coupon_code: str | None = None) -> Note:
    """Buy a note: the amount is frozen at once; the note that fills the loan triggers disbursement.

    With an ``idempotency_key`` a second call (a double submit, a retry, the same key from the page
    and the API) returns the first call's note, or its refusal, and moves nothing. A ``coupon_code``
    is applied to the note in its transaction (marketing's redeemer); a refused coupon places no note.
    """
    coupon_code = (coupon_code or "").strip() or None
    if idempotency_key is None:
        return _place_note(investor, loan_id, amount_minor, auto, close_expired=True, coupon_code=coupon_code)
    # The keyed action runs in one transaction that a refusal rolls back, so it leaves an expired
    # listing to the daily job and only refuses; a replay gives the same refusal.
    return once_per_key(
        user=investor, key=idempotency_key, scope=f"invest:{loan_id}",
        # The coupon joins the payload only when given, so keys stored before coupons replay unchanged.
        payload={"loan_id": loan_id, "amount_minor": amount_minor, "auto": auto,
                 **({"coupon_code": coupon_code} if coupon_code else {})},
        run=lambda: _place_note(investor, loan_id, amount_minor, auto, close_expired=False,
                                coupon_code=coupon_code),
        save=lambda note: {"note_id": note.pk},
        load=lambda stored: Note.objects.get(pk=stored["note_id"]),
    )


def _place_note(investor: User, loan_id: int, amount_minor: int, auto: bool, *, close_expired: bool,
                coupon_code: str | None = None) -> Note:
    """The note itself (see :func:`invest`). A listing whose window has passed takes no note; with
    ``close_expired`` it is expired (and its investors refunded) on the spot.

    The loan row is the one hot spot every investor of a loan shares, so it is touched last,
    by a single conditional UPDATE (still listed, room left), and held only until commit.
    """
    require_kyc(investor)
    require_role(investor, Role.INVESTOR)
    unit = rule("NOTE_UNIT_MINOR")
    if amount_minor <= 0 or amount_minor % unit:
        raise ApplicationError(
            _("invest in multiples of %(unit)s CNY (minimum %(unit)s CNY)") % {"unit": format_minor(unit)},
            code="invalid_note_amount",
        )
    # Per-note and daily investment limits by member type (limit_exceeded, 400, with the figures).
    investment_limits.check_investment(investor, amount_minor)
    # Only what the checks below need: the loan row is wide, and this runs once per note.
    loan = Loan.objects.filter(pk=loan_id).only("pk", "status", "list_expires_on", "borrower_id", "grade").first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if loan.status == LoanStatus.LISTED and loan.list_expires_on and business_date() >= loan.list_expires_on:
        if close_expired:
            expire_if_due(loan_id)
            raise Conflict(_("the funding window of this loan has closed; investors were refunded"),
                           code="expired")
        raise Conflict(_("the funding window of this loan has closed; investors will be refunded"), code="expired")
    if loan.borrower_id == investor.pk:
        raise PermissionDenied(_("you cannot invest in your own loan"), code="own_loan")
    if loan.status != LoanStatus.LISTED:
        raise Conflict(_("this loan is %(status)s, not open for investment") % {"status": loan.get_status_display()},
                       code="not_listed")
    run_invest_checks(investor, loan)  # suitability and risk disclosure (investing registers them)
    allowed(LoanStatus.LISTED, LoanStatus.FUNDED)
    with transaction.atomic():
        note = Note.objects.create(loan_id=loan_id, investor=investor, amount_minor=amount_minor, auto_invested=auto)
        ledger.freeze(investor, amount_minor, kind="invest_freeze", reference=f"note:{note.pk}")
        if coupon_code:
            redeem_note_coupon(investor, loan, note, coupon_code)
        status = add_to_listing(loan_id, amount_minor)
        if status is None:
            _refuse_investment(loan_id)
        funded = status == LoanStatus.FUNDED
        notify(investor, "investment_placed", f"note:{note.pk}",
               {"loan": loan_id, "note": note.pk, "amount_minor": amount_minor})
        if funded:
            notify(loan.borrower_id, "loan_funded", f"loan:{loan_id}",
                   {"loan": loan_id, "amount_minor": loan_amount(loan_id)})
    if funded:
        disburse_if_funded(loan_id)
        note.refresh_from_db()  # disbursement activated it
    return note


def _refuse_investment(loan_id: int) -> None:
    """Say why the conditional UPDATE touched no row (raising rolls the note and the freeze back)."""
    loan = Loan.objects.get(pk=loan_id)
    if loan.status != LoanStatus.LISTED:
        raise Conflict(_("this loan is %(status)s, not open for investment") % {"status": loan.get_status_display()},
                       code="not_listed")
    raise ApplicationError(
        _("only %(left)s CNY of this loan is left to fund") % {"left": format_minor(loan.remaining_minor)},
        code="over_remaining",
        status=409,
    )
