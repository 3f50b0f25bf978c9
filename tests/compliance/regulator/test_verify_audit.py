"""``peerlend verify-audit`` and the console's audit page verify the audit log's hash chain."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from peerlend.compliance.maintenance import audit_triggers_disabled
from peerlend.compliance.models import AuditEvent
from peerlend.compliance.services import record_audit
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def _events(n: int = 3) -> None:
    operator = make_staff("operator")
    for i in range(n):
        record_audit(actor=operator, action="loan.approve", target=("lending.loan", i), reason=f"r{i}")


def _tamper() -> None:
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    with audit_triggers_disabled():
        AuditEvent.objects.filter(pk=first.pk).update(reason="rewritten")


def test_the_command_says_intact(capsys):
    _events()
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "intact" in out and f"{AuditEvent.objects.count()} events" in out


def test_the_command_fails_on_an_edited_row(capsys):
    _events()
    _tamper()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit")
    assert exit_.value.code == 1
    assert "edited row" in capsys.readouterr().out


def test_the_audit_page_shows_the_chain_verified(reg_client):
    _events()
    page = reg_client.get("/regulator/audit").content.decode()
    assert "Hash chain verified" in page and "Application approved" in page
    assert "loan.approve" not in page  # labels, never codes


def test_the_audit_page_shows_a_broken_chain(reg_client):
    _events()
    _tamper()
    page = reg_client.get("/regulator/audit").content.decode()
    assert "The hash chain is broken" in page and "edited row" in page


def test_the_audit_page_filters_by_action(reg_client):
    _events(2)
    record_audit(actor=None, action="loan.reject", target=("lending.loan", 9), reason="filtered")
    page = reg_client.get("/regulator/audit?action=loan.reject").content.decode()
    assert "filtered" in page and "r0" not in page.split('id="audit-events"')[1]
