"""Disbursing a funded loan: cash to the borrower, notes active, the schedule and the contract."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError
from peerlend.ledger import services as ledger
from peerlend.lending.disbursement_hooks import disbursement_hooks, run_after_disbursement
from peerlend.lending.fee_discounts import FeeDiscount, fee_discount_for, recorded_fee_discount
from peerlend.lending.models import Contract, Loan, Note, NoteStatus
from peerlend.lending.service_support import loan_context, users_with_amounts
from peerlend.lending.transitions import transition_loan
from peerlend.notify import Notice, notify, notify_many


def disburse_if_funded(loan_id: int) -> bool:
    """Disburse a fully funded loan: right after funding, and by run-day for any left behind."""
    with transaction.atomic():
        loan = Loan.objects.filter(pk=loan_id, status=LoanStatus.FUNDED).select_related("borrower").first()
        if loan is None:
            return False
        disburse(loan)
        return True


def origination_fee_minor(loan: Loan) -> int:
    # The same rounding as the quote shown before applying (domain.quote.fee_minor).
    from peerlend.domain.quote import fee_minor

    return fee_minor(loan.amount_minor, loan.origination_fee_rate or Decimal(0))


def charged_origination_fee_minor(loan: Loan) -> int:
    """The fee actually taken at disbursement: the full fee less a discount the contract recorded."""
    contract = Contract.objects.filter(loan_id=loan.pk).only("terms").first()
    discount = recorded_fee_discount(contract.terms if contract else None)
    return discount.fee_minor if discount else origination_fee_minor(loan)


def disburse(loan: Loan) -> None:
    """Funded -> current in one step: cash to the borrower less the fee, notes active, schedule, contract.

    The schedule and the risk-reserve share of the fee come from servicing (``disbursement_hooks``).
    """
    hooks = disbursement_hooks()
    today = business_date()
    notes = list(Note.objects.filter(loan=loan, status=NoteStatus.PENDING))
    total = sum(n.amount_minor for n in notes)
    if total != loan.amount_minor:
        raise ApplicationError(f"notes sum to {total}, the loan is {loan.amount_minor}", code="funding_mismatch")
    # A member-tier privilege may lower the fee (issue 15); funding above is untouched by it.
    full_fee = origination_fee_minor(loan)
    discount = fee_discount_for(loan, full_fee)
    fee = discount.fee_minor if discount else full_fee
    per_investor: dict[int, int] = defaultdict(int)
    for note in notes:
        per_investor[note.investor_id] += note.amount_minor
    by_investor = users_with_amounts(per_investor)
    accounts_of = ledger.user_accounts_many([loan.borrower] + [investor for investor, _amount in by_investor])
    lines: list[tuple[Any, int]] = [(accounts_of[investor.pk].frozen, -amount) for investor, amount in by_investor]
    lines.append((accounts_of[loan.borrower_id].available, loan.amount_minor - fee))
    if fee:
        lines.append((ledger.platform_account("fee_income"), fee))
    # Guarantee mode risk_reserve: a share of the fee funds the risk reserve (servicing decides how much).
    lines += hooks.fee_lines(fee)
    ledger.post_entry(kind="disburse", lines=lines, reference=f"loan:{loan.pk}", business_date=today)
    Note.objects.filter(pk__in=[n.pk for n in notes]).update(
        status=NoteStatus.ACTIVE, principal_outstanding_minor=F("amount_minor")
    )
    transition_loan(loan, LoanStatus.CURRENT, disbursed_on=today, principal_outstanding_minor=loan.amount_minor)
    installments = list(hooks.write_schedule(loan, today))
    parties = masked_parties([loan.borrower] + [investor for investor, _amount in by_investor])
    _make_contract(loan, notes, fee, installments, parties, discount)
    run_after_disbursement(loan, notes)  # e.g. coupons the platform pays now (marketing registers them)
    notify(loan.borrower_id, "loan_disbursed", f"loan:{loan.pk}", loan_context(
        loan, received_minor=loan.amount_minor - fee, fee_minor=fee, first_due=str(installments[0].due_date)))
    notify_many(Notice(n.investor_id, "investment_disbursed", f"note:{n.pk}",
                       {"loan": loan.pk, "note": n.pk, "amount_minor": n.amount_minor}) for n in notes)


def masked_party(user: User) -> str:
    """How a party appears on a contract: masked real name and ID when verified, masked username otherwise."""
    return masked_parties([user])[user.pk]


def masked_parties(users: list[User]) -> dict[int, str]:
    """:func:`masked_party` of each user, by user id, from one read of their identities' masked fields."""
    from peerlend.accounts.models import Identity

    masked = {
        user_id: f"{name} ({resident_id})"
        for user_id, name, resident_id in Identity.objects.filter(user_id__in=[u.pk for u in users])
        .values_list("user_id", "real_name_masked", "resident_id_masked")
    }
    out: dict[int, str] = {}
    for user in users:
        name = user.username
        out[user.pk] = masked.get(user.pk) or name[:2] + "*" * max(len(name) - 2, 1)
    return out


def _make_contract(loan: Loan, notes: list[Note], fee_minor: int, installments: list[Any],
                   parties: dict[int, str], discount: FeeDiscount | None = None) -> Contract:
    terms = {
        "loan_id": loan.pk,
        "borrower": parties[loan.borrower_id],
        "lenders": [
            {"lender": parties[n.investor_id], "note_id": n.pk, "amount": format_minor(n.amount_minor)} for n in notes
        ],
        "amount": format_minor(loan.amount_minor),
        "currency": loan.currency,
        "annual_rate": str(loan.annual_rate),
        "term_months": loan.term_months,
        "repayment_method": loan.repayment_method,
        "origination_fee": format_minor(fee_minor),
        "purpose": loan.purpose,
        "channel": loan.channel,
        "disbursed_on": loan.disbursed_on.isoformat() if loan.disbursed_on else None,
        "schedule": [
            {
                "number": i.number,
                "due_date": i.due_date.isoformat(),
                "principal": format_minor(i.principal_minor),
                "interest": format_minor(i.interest_minor),
            }
            for i in installments
        ],
    }
    if discount is not None:  # only then: contracts without a discount keep their exact earlier terms
        terms["origination_fee_discount"] = discount.as_terms()
    digest = hashlib.sha256(json.dumps(terms, sort_keys=True).encode()).hexdigest()
    number = f"PL-{loan.disbursed_on:%Y%m%d}-{loan.pk:08d}"
    return Contract.objects.create(loan=loan, number=number, terms=terms, sha256=digest)
