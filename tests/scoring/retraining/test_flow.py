"""From the book in the database to a live model: the command, the risk officer's decision, intake scoring."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection

from peerlend.clock import set_business_date
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.scoring.model import shipped_model
from peerlend.scoring.models import ModelCandidate
from peerlend.scoring.retraining import decisions
from peerlend.scoring.retraining.live import live_model
from peerlend.servicing.models import Installment
from tests.factories import make_staff, make_user
from tests.scoring.limits.conftest import application
from tests.scoring.retraining.conftest import crafted_book

AS_OF = dt.date(2026, 1, 1)


@pytest.fixture
def book(db):
    """The crafted book written into the loan and installment tables."""
    set_business_date(AS_OF)
    owner = make_user(roles=("borrower",))
    crafted = crafted_book()
    Loan.objects.bulk_create([
        Loan(pk=b.loan_id, borrower=owner, amount_minor=b.amount_minor, term_months=12,
             repayment_method="equal_installment", purpose="debt_consolidation", title="crafted",
             annual_income_minor=b.facts.annual_income_minor, employment_years=b.facts.employment_years,
             inq_last_6mths=b.facts.inq_last_6mths, revol_util_pct=b.facts.revol_util_pct,
             status=b.status, disbursed_on=b.disbursed_on, submitted_on=b.disbursed_on)
        for b in crafted])
    Installment.objects.bulk_create([
        Installment(loan_id=b.loan_id, number=k, due_date=due, principal_minor=1000_00, interest_minor=50_00,
                    status="paid" if paid else "overdue", paid_on=paid)
        for b in crafted for k, (due, paid) in enumerate(b.installments, start=1)])
    # The loans were written with their ids: PostgreSQL's sequence must move past them before the next insert.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Loan]):
            cursor.execute(sql)
    return crafted


def train(**opts):
    out = StringIO()
    call_command("train_model", "--from-platform", "--as-of", AS_OF.isoformat(), stdout=out, **opts)
    return out.getvalue()


def test_command_stores_a_pending_candidate_once(book):
    text = train(min_bad=10)
    c = ModelCandidate.objects.get()
    assert c.status == "pending" and c.rows == 241 and c.bad == c.report["counts"]["bad"]
    assert c.champion_version == shipped_model().version and c.version in text and "AUC" in text
    assert "already stored" in train(min_bad=10)  # same book, same version: stored once
    assert ModelCandidate.objects.count() == 1


def test_command_matches_the_pure_dataset(book):
    from peerlend.scoring.retraining.book import build_dataset

    train(min_bad=10)
    assert ModelCandidate.objects.get().bad == build_dataset(book, AS_OF, 12).bad


def test_command_refuses_below_min_bad_and_stores_nothing(book):
    with pytest.raises(CommandError, match=r"241 matured loans \(\d+ bad, 59 not yet matured"):
        train(min_bad=100000)
    assert not ModelCandidate.objects.exists()


@pytest.mark.parametrize(("opts", "message"), [
    ({"horizon_months": 2}, "--horizon-months must be between 3 and 60"),
    ({"horizon_months": 61}, "--horizon-months must be between 3 and 60"),
    ({"min_bad": 0}, "--min-bad must be between 1 and 100000"),
])
def test_command_ranges(db, opts, message):
    with pytest.raises(CommandError, match=message):
        train(**opts)


def test_command_bad_date(db):
    with pytest.raises(CommandError, match="--as-of must be a date"):
        call_command("train_model", "--from-platform", "--as-of", "2026-13-01")


def test_empty_book_refuses_with_zero_counts(db):
    set_business_date(AS_OF)
    with pytest.raises(CommandError, match=r"0 matured loans \(0 bad"):
        train()


@pytest.fixture
def candidate(book):
    train(min_bad=10)
    return ModelCandidate.objects.get()


def test_only_risk_officer_or_admin_decides(candidate):
    for role in ("operator", "compliance", "agent"):
        with pytest.raises(PermissionDenied):
            decisions.approve(user=make_staff(role), candidate_id=candidate.pk, reason="looks fine")
    assert ModelCandidate.objects.get().status == "pending"


def test_a_decision_needs_a_reason(candidate):
    with pytest.raises(ApplicationError) as exc:
        decisions.reject(user=make_staff("risk_officer"), candidate_id=candidate.pk, reason="  ")
    assert exc.value.code == "reason_required"


def test_approve_goes_live_with_audit_and_intake_records_its_version(candidate):
    officer = make_staff("risk_officer")
    assert live_model().version == shipped_model().version
    decisions.approve(user=officer, candidate_id=candidate.pk, reason="better on the held-out loans")
    candidate.refresh_from_db()
    assert candidate.status == "approved" and candidate.decided_by == officer and candidate.decided_at
    event = AuditEvent.objects.get(action="model.approve")
    assert event.actor_id == officer.pk and event.target_id == str(candidate.pk)
    assert event.reason == "better on the held-out loans"
    assert live_model().version == candidate.version
    loan = lending.submit_application(borrower=make_user(roles=("borrower",)), data=application())
    loan.refresh_from_db()
    assert loan.model_version == candidate.version
    with pytest.raises(ApplicationError) as exc:  # decided once
        decisions.reject(user=officer, candidate_id=candidate.pk, reason="changed my mind")
    assert exc.value.status == 409


def test_approving_another_retires_the_live_one(candidate):
    admin = make_staff("admin")
    decisions.approve(user=admin, candidate_id=candidate.pk, reason="first")
    second = ModelCandidate.objects.create(
        version="platform-logit-000000000002", artifact_text=candidate.artifact_text.replace(
            candidate.version, "platform-logit-000000000002"), report_text=candidate.report_text, rows=1, bad=1,
        train_rows=1, holdout_rows=1, as_of=AS_OF, horizon_months=12, min_bad=1, champion_version=candidate.version)
    decisions.approve(user=admin, candidate_id=second.pk, reason="second")
    assert ModelCandidate.objects.get(pk=candidate.pk).status == "retired"
    assert live_model().version == "platform-logit-000000000002"
    assert AuditEvent.objects.filter(action="model.retire").count() == 1


def test_reject_keeps_the_live_model(candidate):
    decisions.reject(user=make_staff("risk_officer"), candidate_id=candidate.pk, reason="worse calibration")
    assert ModelCandidate.objects.get().status == "rejected"
    assert live_model().version == shipped_model().version
    assert AuditEvent.objects.filter(action="model.reject").exists()


def _row(version, status="pending"):
    return ModelCandidate.objects.create(
        version=version, artifact_text="{}", report_text="{}", rows=1, bad=1, train_rows=1, holdout_rows=1,
        as_of=AS_OF, horizon_months=12, min_bad=1, champion_version="x", status=status)


def test_the_database_keeps_one_live_model(db):
    from django.db import IntegrityError, transaction

    _row("a", "approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        _row("b", "approved")
    _row("c", "retired"), _row("d", "retired")  # any number retired


def test_reason_longer_than_the_limit_is_refused(db):
    c = _row("e")
    with pytest.raises(ApplicationError) as exc:
        decisions.reject(user=make_staff("risk_officer"), candidate_id=c.pk, reason="x" * 1001)
    assert exc.value.code == "reason_too_long"
