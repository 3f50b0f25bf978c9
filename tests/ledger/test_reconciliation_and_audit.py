from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from peerlend.errors import ApplicationError
from peerlend.ledger import services
from peerlend.ledger.audit import register_check, run_audit
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import ReconciliationItem
from peerlend.ledger.reconciliation import import_statement, resolve_item
from tests.factories import make_staff
from tests.ledger.conftest import audit_clean

pytestmark = pytest.mark.django_db


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _deposit(user, minor):
    order = services.create_deposit_order(user, minor)
    sandbox.pay(order)
    return order


def test_statement_matches_and_lists_both_sides(investor, tmp_path):
    d1 = _deposit(investor, 10_000)
    d2 = _deposit(investor, 2_500)
    w = services.request_withdrawal(investor, 1_000)
    sandbox.settle_payout(w)
    day = _today()
    csv_text = (
        "date,reference,amount,direction\n"
        f"{day},{d1.reference},100.00,in\n"
        f"{day},{w.reference},10.00,out\n"
        f"{day},UNKNOWN-WIRE,7.00,in\n"
    )
    result = import_statement(csv_text, filename="s.csv")
    assert (result.matched, result.unmatched_bank, result.unmatched_ledger) == (2, 1, 1)
    items = {i.side: i for i in ReconciliationItem.objects.all()}
    assert items["bank"].reference == "UNKNOWN-WIRE" and items["bank"].amount_minor == 700
    assert items["ledger"].reference == d2.reference and items["ledger"].direction == "in"
    with pytest.raises(ApplicationError):
        import_statement(csv_text, filename="again.csv")

    operator = make_staff("operator")
    with pytest.raises(ApplicationError):
        resolve_item(investor, items["bank"], "not an operator")
    with pytest.raises(ApplicationError):
        resolve_item(operator, items["bank"], "  ")
    custody_before = services.platform_account("custody_bank").display_balance_minor
    resolve_item(operator, items["bank"], "unidentified wire, held in suspense")
    resolve_item(operator, items["ledger"], "bank has not seen deposit yet")
    assert services.platform_account("suspense").balance_minor == 700 - 2_500
    assert services.platform_account("custody_bank").display_balance_minor == custody_before + 700 - 2_500
    with pytest.raises(ApplicationError):
        resolve_item(operator, items["bank"], "twice")
    assert audit_clean()
    try:
        from peerlend.compliance.models import AuditEvent
    except ImportError:
        return
    assert AuditEvent.objects.filter(action="ledger.reconciliation.resolve").count() == 2


def test_import_statement_command_and_bad_csv(investor, tmp_path, capsys):
    d1 = _deposit(investor, 10_000)
    path = tmp_path / "statement.csv"
    path.write_text(f"date,reference,amount,direction\n{_today()},{d1.reference},100.00,in\n")
    call_command("import_statement", str(path))
    assert "1 matched" in capsys.readouterr().out
    for bad in ("date,reference,amount\n", "date,reference,amount,direction\n2024-01-01,x,1.001,in\n",
                "date,reference,amount,direction\n2024-01-01,x,1.00,sideways\n"):
        with pytest.raises(ApplicationError):
            import_statement(bad, filename="bad.csv")


def test_reconciliation_page(client, investor):
    _deposit(investor, 10_000)
    client.force_login(investor)
    assert client.get("/operator/reconciliation").status_code == 403
    client.force_login(make_staff("operator"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("s.csv", f"date,reference,amount,direction\n{_today()},WIRE,5.00,in\n".encode())
    resp = client.post("/operator/reconciliation", {"statement": upload})
    assert resp.status_code == 302
    page = client.get("/operator/reconciliation")
    assert b"WIRE" in page.content
    item = ReconciliationItem.objects.get(reference="WIRE")
    client.post("/operator/reconciliation", {"item_id": item.pk, "reason": "found it"})
    item.refresh_from_db()
    assert item.status == "resolved"


def _audit_exit(*args) -> tuple[int, str]:
    import io

    out = io.StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_audit_command_clean_and_json(investor):
    _deposit(investor, 10_000)
    code, out = _audit_exit()
    assert code == 0 and out.startswith("audit: clean") and "accounts checked" in out
    code, out = _audit_exit("--json")
    data = json.loads(out)
    assert code == 0 and data["clean"] and data["violations"] == [] and data["entries"] >= 1


def test_audit_fails_when_balances_are_broken_with_raw_sql(investor):
    _deposit(investor, 10_000)
    acc = services.user_accounts(investor).available
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_ledgeraccount SET balance_minor = -5 WHERE id = %s", (acc.pk,))
        code, out = _audit_exit("--json")
        transaction.set_rollback(True)
    assert code == 1
    checks = {v["check"] for v in json.loads(out)["violations"]}
    assert {"ledger.balances_match_postings", "ledger.no_negative_balances", "ledger.custody_mirror"} <= checks


def test_audit_reports_unposted_entries(investor):
    with transaction.atomic():
        from peerlend.ledger.models import JournalEntry

        JournalEntry.objects.create(kind="orphan")
        code, out = _audit_exit()
        transaction.set_rollback(True)
    assert code == 1 and "unposted" in out


def test_registered_checks_run_and_crashes_are_reported():
    register_check("test.always_bad", lambda: ["something is off"])
    register_check("test.crashes", lambda: 1 / 0)
    try:
        found = {(v.check, v.message) for v in run_audit()}
        assert ("test.always_bad", "something is off") in found
        assert any(c == "test.crashes" and "ZeroDivisionError" in m for c, m in found)
    finally:
        from peerlend.ledger import audit

        audit._CHECKS.pop("test.always_bad", None)
        audit._CHECKS.pop("test.crashes", None)


def test_account_page(client, investor):
    assert client.get("/account").status_code == 302
    client.force_login(investor)
    _deposit(investor, 12_345)
    page = client.get("/account")
    assert page.status_code == 200
    assert b"123.45" in page.content and b"deposit" in page.content
    resp = client.post("/account/withdraw", {"amount": "23.45", "idempotency_key": "w-form"})
    assert resp.status_code == 302
    client.post("/account/withdraw", {"amount": "23.45", "idempotency_key": "w-form"})  # double submit
    page = client.get("/account")
    assert b"100.00" in page.content and b"23.45" in page.content
    resp = client.post("/account/withdraw", {"amount": "1000.00", "idempotency_key": "w-2"}, follow=True)
    assert b"insufficient available balance" in resp.content
    resp = client.post("/account/deposit", {"amount": "1.234", "idempotency_key": "d-2"}, follow=True)
    assert b"Invalid amount" in resp.content
