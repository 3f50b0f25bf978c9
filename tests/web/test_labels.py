"""Issue 12 defects 12 and 13: no stored code on a page, money written one way, payouts said in words.

Every status, ledger entry kind, audit action and reference has a label in both languages
(``peerlend.web.labels``); the tables cover every code the source writes.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from peerlend.accounts.models import IdentityReview
from peerlend.clock import set_business_date
from peerlend.domain.lifecycle import LoanStatus
from peerlend.ledger import services as ledger
from peerlend.ledger.models import PaymentStatus
from peerlend.lending import services as lending
from peerlend.lending.models import NoteStatus
from peerlend.servicing.models import PaymentKind
from peerlend.web import labels
from tests.factories import make_staff, make_user
from tests.lending.conftest import START, application, deposit
from tests.servicing.conftest import drain, young_borrower

pytestmark = pytest.mark.django_db
SOURCE = Path(labels.__file__).resolve().parents[1]


def _source_codes(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_enum_code_has_a_label() -> None:
    assert set(labels.TABLES["loan_status"]) == {s.value for s in LoanStatus}
    assert set(labels.TABLES["note_status"]) == {s.value for s in NoteStatus}
    assert set(labels.TABLES["payment_status"]) == {s.value for s in PaymentStatus}
    assert {k.value for k in PaymentKind} <= set(labels.ENTRY_KINDS)
    assert {r.value for r in IdentityReview.Reason} <= set(labels.TABLES["review_reason"])
    assert {"paid", "due", "overdue", "upcoming", "partial", "written_off"} <= set(labels.INSTALLMENT_STATES)


def test_every_ledger_entry_kind_written_in_the_source_has_a_label() -> None:
    # freeze/unfreeze/post_entry/EntrySpec calls name their kind as a literal.
    kinds = _source_codes(r'\bkind="([a-z_]+)",? *(?:lines|reference)') | _source_codes(
        r'(?:freeze|unfreeze)\([^)]*kind="([a-z_]+)"')
    kinds |= {"listing_expired", "listing_cancelled"}
    missing = sorted(k for k in kinds if k not in labels.ENTRY_KINDS)
    assert not missing, f"ledger entry kinds without a label in peerlend/web/labels.py: {missing}"


def test_every_audit_action_written_in_the_source_has_a_label() -> None:
    actions = _source_codes(r'action="([a-z_]+(?:\.[a-z_]+)+)"') | _source_codes(
        r'_audit\([^,]+, "([a-z_]+\.[a-z_]+)"')
    missing = sorted(a for a in actions if a not in labels.AUDIT_ACTIONS)
    assert not missing, f"audit actions without a label in peerlend/web/labels.py: {missing}"


def test_every_anti_fraud_rule_has_a_label() -> None:
    rules = _source_codes(r'Hit\(\s*"([a-z_]+)"')
    assert {"underage", "velocity"} <= rules
    missing = sorted(r for r in rules if r not in labels.FRAUD_RULES)
    assert not missing, f"anti-fraud rules without a label in peerlend/web/labels.py: {missing}"


def test_labels_read_as_words_in_both_languages() -> None:
    assert labels.label("invest_freeze", "entry_kind") == "Investment bid (funds frozen)"
    assert labels.label("under_review", "loan_status") == "Under review"
    assert labels.label("upcoming", "installment") == "Upcoming"
    assert labels.label("some_new_code", "entry_kind") == "Some new code"
    assert labels.reference("note:12") == "Note #12"
    assert labels.reference("deposit:" + "ab" * 16) == "Deposit order abababab"
    assert labels.reference("free text") == "free text"
    with translation.override("zh-hans"):
        assert labels.label("under_review", "loan_status") == "审核中"


def _investor_with_bid() -> tuple[object, object]:
    set_business_date(START)
    investor = make_user(roles=("investor",))
    deposit(investor, 1_234_56)
    loan = lending.submit_application(borrower=young_borrower(), data=application(amount_minor=5_000_00))
    lending.approve(officer=make_staff("risk_officer"), loan_id=loan.pk, reason="labels")
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
    ledger.request_withdrawal(investor, 100_00)
    return investor, loan


def test_account_page_shows_labels_amounts_and_grouped_money() -> None:
    investor, _loan = _investor_with_bid()
    client = Client()
    client.force_login(investor)
    html = client.get("/account", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for raw in ("invest_freeze", "withdrawal_freeze", ">deposit<", "deposit:", "note:"):
        assert raw not in html, raw
    assert "Investment bid (funds frozen)" in html and "Withdrawal requested (funds frozen)" in html
    assert re.search(r"Note #\d+", html) and "Deposit order " in html
    # The deposit and withdrawal lists say how much; every amount is grouped the same way.
    assert "1,234.56 CNY" in html and "100.00 CNY" in html
    assert 'id="balance-available">134.56 CNY' in html and "-1,000.00" in html


def test_repayment_schedule_shows_status_words_not_codes() -> None:
    set_business_date(START)
    borrower = young_borrower()
    investor = make_user(roles=("investor",))
    deposit(investor, 6_000_00)
    loan = lending.submit_application(borrower=borrower, data=application(amount_minor=6_000_00))
    lending.approve(officer=make_staff("risk_officer"), loan_id=loan.pk, reason="labels")
    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=6_000_00)
    drain(borrower)
    client = Client()
    client.force_login(borrower)
    html = client.get(f"/my/loans/{loan.pk}/repayments", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "· Current ·" in html and "· current ·" not in html
    assert ">Upcoming<" in html and ">upcoming<" not in html


def test_paying_out_says_what_happened_to_the_money() -> None:
    set_business_date(START)
    member = make_user(roles=("investor",), username=f"payee-{uuid.uuid4().hex[:6]}")
    deposit(member, 500_00)
    withdrawal = ledger.request_withdrawal(member, 200_00)
    operator = make_staff("operator")
    client = Client()
    client.force_login(operator)
    r = client.post("/sandbox-gateway/payouts", {"withdrawal_id": withdrawal.public_id, "action": "settle"},
                    follow=True, HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert f"Paid out 200.00 CNY to {member.username}" in html
    assert "200 applied" not in html and "applied" not in html
    withdrawal.refresh_from_db()
    assert withdrawal.status == "succeeded"
