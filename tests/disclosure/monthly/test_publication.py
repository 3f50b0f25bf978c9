"""Publication: once per month, after the month, immutable; corrections are linked, reasoned, audited versions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.models import MonthlySnapshot
from peerlend.disclosure.monthly.periods import parse_month, working_day_of_month
from peerlend.disclosure.monthly.publish import correct_month, publish_month, step_publish
from peerlend.errors import ApplicationError
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def test_publish_once_then_returned_unchanged() -> None:
    first = publish_month(MARCH, today=date(2026, 4, 1))
    again = publish_month(MARCH, today=date(2026, 4, 20))
    assert again.pk == first.pk and again.published_on == date(2026, 4, 1)
    assert MonthlySnapshot.objects.count() == 1
    assert AuditEvent.objects.filter(action="disclosure.monthly_published").count() == 1


def test_month_not_over_is_refused() -> None:
    with pytest.raises(ApplicationError) as exc:
        publish_month(MARCH, today=date(2026, 3, 31))
    assert exc.value.code == "month_not_over"
    assert not MonthlySnapshot.objects.exists()


def test_model_refuses_save_and_delete_of_a_published_snapshot() -> None:
    snap = publish_month(MARCH, today=date(2026, 4, 1))
    snap.figures = {**snap.figures, "outstanding_minor": 1}
    with pytest.raises(ApplicationError):
        snap.save()
    with pytest.raises(ApplicationError):
        snap.delete()
    snap.refresh_from_db()
    assert snap.figures["outstanding_minor"] == 0


def test_database_refuses_update_bypassing_the_model() -> None:
    snap = publish_month(MARCH, today=date(2026, 4, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        MonthlySnapshot.objects.filter(pk=snap.pk).update(sha256="0" * 64)
    snap.refresh_from_db()
    assert snap.sha256 != "0" * 64


def test_correction_is_a_new_linked_audited_version() -> None:
    operator = make_staff("operator")
    v1 = publish_month(MARCH, today=date(2026, 4, 1))
    v2 = correct_month(MARCH, actor=operator, reason="late bank statement", today=date(2026, 4, 9))
    assert (v2.version, v2.supersedes_id, v2.reason, v2.published_by) == (2, v1.pk, "late bank statement", operator)
    event = AuditEvent.objects.get(action="disclosure.monthly_corrected")
    assert event.old["version"] == 1 and event.new["version"] == 2 and event.actor_id == operator.pk


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_correction_needs_a_reason(reason: str) -> None:
    publish_month(MARCH, today=date(2026, 4, 1))
    with pytest.raises(ApplicationError):
        correct_month(MARCH, actor=make_staff("operator"), reason=reason, today=date(2026, 4, 9))
    assert MonthlySnapshot.objects.count() == 1


def test_correction_of_an_unpublished_month_is_404() -> None:
    with pytest.raises(ApplicationError) as exc:
        correct_month(MARCH, actor=make_staff("operator"), reason="why", today=date(2026, 4, 9))
    assert exc.value.status == 404


@pytest.mark.parametrize("text", ["2026-13", "26-03", "2026-3", "", "march", "1999-01"])
def test_bad_month_text(text: str) -> None:
    with pytest.raises(ApplicationError):
        parse_month(text)


def test_working_days() -> None:
    # 2026-08-01 is a Saturday: Monday the 3rd is the first working day, Friday the 7th the fifth.
    assert working_day_of_month(date(2026, 8, 1)) == 0
    assert working_day_of_month(date(2026, 8, 3)) == 1
    assert working_day_of_month(date(2026, 8, 7)) == 5


def test_run_day_step_publishes_the_previous_month_on_a_working_day() -> None:
    assert step_publish(date(2026, 8, 1), 500) == 0  # Saturday
    assert not MonthlySnapshot.objects.exists()
    assert step_publish(date(2026, 8, 3), 500) == 1
    assert MonthlySnapshot.objects.get().month == date(2026, 7, 1)
    assert step_publish(date(2026, 8, 4), 500) == 0


def test_disclose_command() -> None:
    from peerlend.clock import set_business_date

    set_business_date(date(2026, 4, 2))
    call_command("disclose", "--month", "2026-03")
    assert MonthlySnapshot.objects.get().month == MARCH
    with pytest.raises(CommandError):
        call_command("disclose", "--month", "2026-04")  # not over yet
    with pytest.raises(CommandError):
        call_command("disclose", "--month", "2026-03", "--correct", "typo", "--by", "nobody")
    operator = make_staff("operator")
    call_command("disclose", "--month", "2026-03", "--correct", "typo", "--by", operator.username)
    assert MonthlySnapshot.objects.filter(month=MARCH).count() == 2
