"""Use cases of the marketplace: apply, review, list, invest, fund, disburse, expire, cancel.

Each use case lives in its own module; this one names them all, so callers import from one place:

* ``intake_rules`` / ``intake`` - what an application states and filing it (screening, scoring);
* ``review`` - approve (and list), reject, ask for documents, the borrower's documents;
* ``funding`` - investing in a listed loan;
* ``listing_closure`` - expiry of the funding window and cancellation, with refunds;
* ``disbursement`` - cash to the borrower, the schedule (through servicing's hook) and the contract;
* ``transitions`` - the one place a loan's status changes.

Locking policy: a use case that touches a loan locks the loan row first
(``select_for_update``), then the ledger locks accounts in id order inside ``post_entry``;
closing a listing and funding lock investor accounts first, then the loan row.
"""

from __future__ import annotations

from peerlend.lending.disbursement import (
    disburse,
    disburse_if_funded,
    masked_parties,
    masked_party,
    origination_fee_minor,
)
from peerlend.lending.funding import invest
from peerlend.lending.intake import document_path, submit_application
from peerlend.lending.intake_rules import (
    DOCUMENT_TYPES,
    FACT_RANGES,
    MAX_ANNUAL_INCOME_MINOR,
    MAX_BALANCE_MINOR,
    MAX_DOCUMENT_BYTES,
    MAX_EMPLOYMENT_YEARS,
    MAX_EVENT_COUNT,
    MAX_LOANS_EVER,
    MAX_MONTHLY_DEBT_MINOR,
    MAX_TERM_MONTHS,
    MAX_UTILISATION_PCT,
    MIN_TERM_MONTHS,
    OPTIONAL_FACTS,
    PERCENT_FIELDS,
    ApplicationInput,
    UploadedDocument,
    outstanding_for_cap,
)
from peerlend.lending.listing_closure import cancel, expire_due_listings, expire_if_due
from peerlend.lending.review import approve, provide_documents, reject, request_documents
from peerlend.lending.service_support import rule

__all__ = [
    "DOCUMENT_TYPES",
    "FACT_RANGES",
    "MAX_ANNUAL_INCOME_MINOR",
    "MAX_BALANCE_MINOR",
    "MAX_DOCUMENT_BYTES",
    "MAX_EMPLOYMENT_YEARS",
    "MAX_EVENT_COUNT",
    "MAX_LOANS_EVER",
    "MAX_MONTHLY_DEBT_MINOR",
    "MAX_TERM_MONTHS",
    "MAX_UTILISATION_PCT",
    "MIN_TERM_MONTHS",
    "OPTIONAL_FACTS",
    "PERCENT_FIELDS",
    "ApplicationInput",
    "UploadedDocument",
    "approve",
    "cancel",
    "disburse",
    "disburse_if_funded",
    "document_path",
    "expire_due_listings",
    "expire_if_due",
    "invest",
    "masked_parties",
    "masked_party",
    "origination_fee_minor",
    "outstanding_for_cap",
    "provide_documents",
    "reject",
    "request_documents",
    "rule",
    "submit_application",
]
