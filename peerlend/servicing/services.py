"""Use cases of loan servicing that change state, each atomic: the names the rest of the platform imports.

The use cases live in one module each; this module re-exports them so callers keep one import.

* ``repayments``: the borrower repays (page, API), a collections agent collects.
* ``prepayment``: the prepayment quote, prepayment in full and in part (re-amortisation).
* ``losses``: risk-reserve compensation, charge-off.
* ``schedules``: the schedule written at disbursement, the reserve's share of the origination fee.
* ``posting``: the accounts, ledger lines and payment row of one money movement; saving the loan book.
* ``loan_status``: serviced statuses, closing a repaid loan, back to current.
* ``rules``: the settings read once into a ``domain.repayment.ServicingRules``.

Money rules (the pure core, ``peerlend.domain``; settings in ``settings.PEERLEND``):

* **Allocation order** of any borrower payment: installments oldest first, and within one
  installment in the order of the allocation strategy (``ALLOCATION_STRATEGY``, default
  "penalty-fee-interest-principal": penalty interest -> late fee -> interest -> principal). A
  regular repayment may cover everything due up to today plus the next installment (paying
  ahead); more is a prepayment. Whatever is not owed stays in the borrower's available balance.
* **Where the money goes**: interest and penalty interest go to the note holders (penalty is
  interest on their overdue principal), principal to the holders, the late fee to the
  platform's ``fee_income``. Of everything the holders receive, the investor service fee
  (``INVESTOR_SERVICE_FEE_RATE``, 1 %) goes to ``fee_income``. Principal, interest and fee are
  split over the loan's notes by outstanding principal with ``domain.holder_split``: every part
  sums exactly, and every holder's net amount and each of its parts is within one minor unit of
  its exact share.
* **Risk reserve** (``GUARANTEE_MODE = "risk_reserve"``): see ``losses``.
* Every money movement is one balanced ledger entry plus one ``ServicingPayment`` row; the
  audit checks in ``servicing.checks`` prove cash in = cash out per loan.
"""

from __future__ import annotations

from peerlend.bulk_sql import bulk_set
from peerlend.domain.repayment import Applied
from peerlend.servicing.distribution import NOTE_FIELDS, NotePlan, plan_distribution
from peerlend.servicing.installments import (
    INSTALLMENT_FIELDS,
    apply_to_installments,
    days_past_due,
    owed_minor,
    payable,
    unpaid_interest,
    unpaid_principal,
)
from peerlend.servicing.loan_status import CLOSED, COLLECTIBLE, SERVICED, set_status, settle_status
from peerlend.servicing.losses import charge_off_notes, compensate_installment
from peerlend.servicing.models import Installment
from peerlend.servicing.posting import Accounts, collect_from_borrower, entry_lines, record_payment, save_changes
from peerlend.servicing.prepayment import PrepaymentQuote, prepay, prepayment_quote, quote_for
from peerlend.servicing.repayments import (
    RepaymentResult,
    collect_overdue,
    has_role,
    load_book,
    locked_servicable,
    repay,
    require_positive,
)
from peerlend.servicing.rules import (
    guarantee_mode,
    late_fee_for,
    penalty_for,
    reserve_share_minor,
    rule_int,
    rule_rate,
    servicing_rules,
)
from peerlend.servicing.schedules import create_schedule, disbursement_reserve_lines

__all__ = [
    "CLOSED",
    "COLLECTIBLE",
    "INSTALLMENT_FIELDS",
    "NOTE_FIELDS",
    "SERVICED",
    "Accounts",
    "Applied",
    "Installment",
    "NotePlan",
    "PrepaymentQuote",
    "RepaymentResult",
    "apply_to_installments",
    "bulk_set",
    "charge_off_notes",
    "collect_from_borrower",
    "collect_overdue",
    "compensate_installment",
    "create_schedule",
    "days_past_due",
    "disbursement_reserve_lines",
    "entry_lines",
    "guarantee_mode",
    "has_role",
    "late_fee_for",
    "load_book",
    "locked_servicable",
    "owed_minor",
    "payable",
    "penalty_for",
    "plan_distribution",
    "prepay",
    "prepayment_quote",
    "quote_for",
    "record_payment",
    "repay",
    "require_positive",
    "reserve_share_minor",
    "rule_int",
    "rule_rate",
    "save_changes",
    "servicing_rules",
    "set_status",
    "settle_status",
    "unpaid_interest",
    "unpaid_principal",
]
