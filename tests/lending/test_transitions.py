"""One way to change a loan's status (peerlend.lending.transitions) and the audit it writes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.domain.lifecycle import TRANSITIONS, LoanStatus
from peerlend.errors import Conflict
from peerlend.lending import services
from peerlend.lending.models import Loan
from peerlend.lending.transitions import close_listing, transition_loan

ILLEGAL = [(cur, tgt) for cur in LoanStatus for tgt in LoanStatus if tgt not in TRANSITIONS[cur]]
LEGAL = [(cur, tgt) for cur in LoanStatus for tgt in TRANSITIONS[cur]]
ROOT = Path(__file__).resolve().parents[2] / "peerlend"


def _loan_in(borrower, status: LoanStatus) -> Loan:
    from tests.lending.conftest import application

    loan = services.submit_application(borrower=borrower, data=application())
    Loan.objects.filter(pk=loan.pk).update(status=status, version=7)  # test set-up, not a transition
    loan.refresh_from_db()
    return loan


def _reset(loan: Loan, status: LoanStatus) -> None:
    Loan.objects.filter(pk=loan.pk).update(status=status, version=7)
    loan.refresh_from_db()


def test_every_illegal_transition_is_refused_and_changes_nothing(borrower):
    loan = _loan_in(borrower, LoanStatus.DRAFT)
    events = AuditEvent.objects.count()
    wrong = []
    for current, target in ILLEGAL:
        _reset(loan, current)
        try:
            transition_loan(loan, target, action="loan.test", reason="x")
        except Conflict as exc:
            if exc.code != "illegal_transition":
                wrong.append(f"{current}->{target}: {exc.code}")
        else:
            wrong.append(f"{current}->{target}: allowed")
        if Loan.objects.values_list("status", "version").get(pk=loan.pk) != (current.value, 7):
            wrong.append(f"{current}->{target}: the row changed")
    assert wrong == []
    assert AuditEvent.objects.count() == events


def test_every_legal_transition_moves_and_bumps_the_version(borrower):
    loan = _loan_in(borrower, LoanStatus.DRAFT)
    for current, target in LEGAL:
        _reset(loan, current)
        assert transition_loan(loan, target) == current
        assert Loan.objects.values_list("status", "version").get(pk=loan.pk) == (target.value, 8)
        assert (loan.status, loan.version) == (target, 8)


def test_a_stale_loan_object_is_refused(borrower):
    loan = _loan_in(borrower, LoanStatus.UNDER_REVIEW)
    Loan.objects.filter(pk=loan.pk).update(version=8)  # someone else moved it meanwhile
    with pytest.raises(Conflict) as exc:
        transition_loan(loan, LoanStatus.APPROVED)
    assert exc.value.code == "stale"
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.UNDER_REVIEW


def test_audit_old_and_new_values_come_from_the_loan(borrower, officer):
    loan = _loan_in(borrower, LoanStatus.UNDER_REVIEW)
    transition_loan(loan, LoanStatus.REJECTED, action="loan.reject", actor=officer, reason="too much debt",
                    decision_reason="too much debt")
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.actor_id, event.reason) == ("loan.reject", officer.pk, "too much debt")
    assert event.old == {"status": "under_review", "version": 7, "decision_reason": ""}
    assert event.new == {"status": "rejected", "version": 8, "decision_reason": "too much debt"}


def test_cancel_audits_the_status_it_really_left(borrower):
    loan = _loan_in(borrower, LoanStatus.UNDER_REVIEW)
    services.cancel(actor=borrower, loan_id=loan.pk, reason="changed my mind")
    event = AuditEvent.objects.filter(action="loan.cancel").get()
    assert event.old["status"] == "under_review" and event.old["version"] == 7
    assert event.new["status"] == "cancelled" and event.new["version"] == 8


def test_cancelling_a_listing_audits_the_listed_row(listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=1_000_00)
    services.invest(investor=investor_factory(500_00), loan_id=loan.pk, amount_minor=300_00)
    before = Loan.objects.get(pk=loan.pk)
    services.cancel(actor=borrower, loan_id=loan.pk, reason="no longer needed")
    event = AuditEvent.objects.filter(action="loan.cancel").get()
    assert event.old["status"] == "listed"
    assert event.old["version"] == before.version and event.old["funded_minor"] == 300_00
    assert event.new["status"] == "cancelled" and event.new["funded_minor"] == 0


def test_close_listing_refuses_a_listing_whose_funding_moved(listed_loan, investor_factory):
    loan = listed_loan(amount_minor=1_000_00)
    services.invest(investor=investor_factory(500_00), loan_id=loan.pk, amount_minor=300_00)
    assert close_listing(loan.pk, LoanStatus.EXPIRED, funded_minor=200_00) is None  # a note slipped in
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.LISTED
    with pytest.raises(ValueError, match="expired or cancelled"):
        close_listing(loan.pk, LoanStatus.FUNDED, funded_minor=300_00)
    closed = close_listing(loan.pk, LoanStatus.EXPIRED, funded_minor=300_00)
    assert closed is not None and (closed.status, closed.funded_minor) == (LoanStatus.EXPIRED, 0)


# ---------------------------------------------------------------- no status change elsewhere


def _loan_status_writes(tree: ast.AST) -> list[int]:
    """Lines of ``Loan.objects....update(status=...)`` calls and SQL strings that set a status."""
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                and any(k.arg == "status" for k in node.keywords) and "Loan.objects" in ast.unparse(node.func)):
            lines.append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.lower().split())
            if "status = case" in text or ("update" in text and "lending_loan" in text and "status" in text):
                lines.append(node.lineno)
    return lines


def test_no_loan_status_is_written_outside_transitions():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or path.name == "transitions.py":
            continue
        for line in _loan_status_writes(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(ROOT.parent)}:{line}")
    assert offenders == [], "loan statuses change only in peerlend/lending/transitions.py:\n" + "\n".join(offenders)


def test_the_status_scan_finds_a_write():
    sample = "Loan.objects.filter(pk=1).update(status='late')\nsql = 'UPDATE t SET status = CASE WHEN 1 END'\n"
    assert _loan_status_writes(ast.parse(sample)) == [1, 2]
