"""The regulator's access log is hash-chained like the audit log and verified with it by ``peerlend verify-audit``."""

from __future__ import annotations

import importlib
import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from peerlend.compliance.maintenance import regulator_access_triggers_disabled
from peerlend.compliance.models import GENESIS_HASH, AuditEvent
from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.compliance.regulator import access
from peerlend.compliance.selectors import ACCESS_LOG, verify_audit_chain, verify_chain
from peerlend.compliance.services import record_audit
from tests.factories import make_staff

_chain_migration = importlib.import_module("peerlend.compliance.migrations.0005_regulator_access_hash_chain")
BEFORE = ("compliance", "0004_regulator_access")
AFTER = ("compliance", "0005_regulator_access_hash_chain")


def _accesses(n: int = 4) -> list[RegulatorAccess]:
    regulator = make_staff("regulator")
    return [
        access.record_access(actor=regulator, action=access.MEMBER_SEARCH, path="/regulator/members",
                             filters={"q": f"user{i}", "page": i}, target=("accounts.user", str(i)),
                             reason=f"case {i}", status_code=200 if i % 2 else 404)
        for i in range(n)
    ]


def _command() -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_accesses_link_into_one_chain():
    rows = _accesses(4)
    assert rows[0].prev_hash == GENESIS_HASH
    for prev, row in itertools.pairwise(rows):
        assert row.prev_hash == prev.hash
    assert len({row.hash for row in rows}) == 4 and all(len(row.hash) == 64 for row in rows)
    # The stored rows (filters read back from the JSON column) hash like the appended ones.
    assert [r.compute_hash() for r in RegulatorAccess.objects.order_by("id")] == [r.hash for r in rows]
    assert verify_audit_chain() == []


@pytest.mark.django_db
def test_the_access_chain_is_its_own():
    """Audit events and accesses interleave without touching each other's chain."""
    regulator = make_staff("regulator")
    first = access.record_access(actor=regulator, action=access.CONSOLE, path="/regulator/")
    event = record_audit(actor=regulator, action="loan.approve", target=("lending.loan", 1))
    second = access.record_access(actor=regulator, action=access.CONSOLE, path="/regulator/")
    assert first.prev_hash == GENESIS_HASH and event.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert verify_audit_chain() == []


@pytest.mark.django_db
def test_the_command_reports_both_chains_intact():
    _accesses(3)
    record_audit(actor=None, action="system.job")
    code, out = _command()
    assert code == 0
    assert "audit log: 1 events, chain intact" in out
    assert "regulator access log: 3 rows, chain intact" in out


@pytest.mark.django_db
def test_an_edited_access_row_is_reported():
    rows = _accesses(3)
    with regulator_access_triggers_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE compliance_regulatoraccess SET reason = 'nothing to see' WHERE id = %s", [rows[1].pk])
    problems = verify_audit_chain()
    assert len(problems) == 1
    assert problems[0].startswith(f"regulator access {rows[1].pk}:") and "edited row" in problems[0]
    code, out = _command()
    assert code == 1
    assert problems[0] in out and "regulator access log: 3 rows, 1 violation(s)" in out
    assert "audit log: 0 events, chain intact" in out
    # The guard is back.
    with pytest.raises(DatabaseError), transaction.atomic():
        RegulatorAccess.objects.filter(pk=rows[0].pk).update(reason="again")


@pytest.mark.django_db
def test_a_removed_access_row_is_reported():
    rows = _accesses(3)
    with regulator_access_triggers_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM compliance_regulatoraccess WHERE id = %s", [rows[1].pk])
    problems = verify_chain(ACCESS_LOG).violations
    assert len(problems) == 1
    assert problems[0].startswith(f"regulator access {rows[2].pk}:") and "removed" in problems[0]
    assert verify_audit_chain() == problems
    code, out = _command()
    assert code == 1 and "regulator access log: 2 rows, 1 violation(s)" in out


@pytest.mark.django_db
def test_a_removed_last_row_is_caught_by_nothing_but_the_count():
    """A limit of any hash chain (the audit log's too): dropping the head leaves a shorter, valid chain."""
    rows = _accesses(2)
    with regulator_access_triggers_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM compliance_regulatoraccess WHERE id = %s", [rows[1].pk])
    assert verify_chain(ACCESS_LOG).count == 1 and verify_audit_chain() == []


@pytest.mark.django_db
def test_the_audit_page_shows_both_chains_verified(reg_client):
    _accesses(2)
    record_audit(actor=None, action="system.job")
    page = reg_client.get("/regulator/audit").content.decode()
    status = page.split('id="chain-status"')[1].split('id="audit-events"')[0]
    assert "Hash chain verified: 1 event," in status
    assert "Access log hash chain verified: 2 rows, none edited, removed or reordered." in status


@pytest.mark.django_db
def test_the_audit_page_shows_a_broken_access_chain(reg_client):
    rows = _accesses(2)
    with regulator_access_triggers_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE compliance_regulatoraccess SET path = '/elsewhere' WHERE id = %s", [rows[0].pk])
    page = reg_client.get("/regulator/audit").content.decode()
    assert "The hash chain is broken" in page and f"regulator access {rows[0].pk}:" in page
    assert "Access log hash chain verified" not in page


@pytest.mark.django_db
def test_the_migration_hash_is_the_model_hash():
    """The migration's frozen copy of the hashing agrees with ``RegulatorAccess.compute_hash`` (today)."""
    for row in RegulatorAccess.objects.filter(pk__in=[r.pk for r in _accesses(3)]):
        assert _chain_migration.row_hash(row, row.prev_hash) == row.hash


class _SchemaEditor:
    """What the backfill uses of a schema editor: its connection and ``execute``."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_the_backfill_chains_rows_in_id_order():
    rows = _accesses(4)
    # Rows as they stood before the migration: no chain (placeholders, as the columns are unique).
    with regulator_access_triggers_disabled(), connection.cursor() as cur:
        for row in rows:
            cur.execute("UPDATE compliance_regulatoraccess SET prev_hash = %s, hash = %s WHERE id = %s",
                        [f"p{row.pk}", f"h{row.pk}", row.pk])
    assert len(verify_audit_chain()) == 8
    from django.apps import apps

    _chain_migration.backfill_chain(apps, _SchemaEditor())
    stored = list(RegulatorAccess.objects.order_by("id"))
    assert [r.hash for r in stored] == [r.hash for r in rows]  # the chain record_access built
    assert verify_audit_chain() == []
    with pytest.raises(DatabaseError), transaction.atomic():  # the guard is back
        RegulatorAccess.objects.filter(pk=rows[0].pk).update(reason="forged")


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_existing_rows_and_keeps_the_guards():
    regulator = make_staff("regulator")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        executor.loader.build_graph()
        old_apps = executor.loader.project_state([BEFORE]).apps
        OldAccess = old_apps.get_model("compliance", "RegulatorAccess")
        for i in range(5):
            OldAccess.objects.create(at=f"2025-03-0{i + 1}T10:00:00.123456Z", actor_id=regulator.pk,
                                     actor_username=regulator.username, action=access.EXPORT,
                                     path="/regulator/exports/loans.csv", filters={"from": "2025-01-01", "n": i})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    report = verify_chain(ACCESS_LOG)
    assert (report.count, report.violations) == (5, [])
    assert RegulatorAccess.objects.order_by("id").first().prev_hash == GENESIS_HASH
    # The append-only guards survived the migration (SQLite rebuilds the table to add the unique columns).
    for sql in ("UPDATE compliance_regulatoraccess SET reason = 'forged'", "DELETE FROM compliance_regulatoraccess"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    # And new accesses continue the backfilled chain.
    access.record_access(actor=regulator, action=access.CONSOLE, path="/regulator/")
    assert verify_chain(ACCESS_LOG).count == 6 and verify_audit_chain() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accesses_keep_one_linear_chain():
    regulator = make_staff("regulator")
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(5):
                access.record_access(actor=regulator, action=access.LOAN_SEARCH, path="/regulator/loans",
                                     filters={"w": i, "j": j})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain(ACCESS_LOG)
    assert (report.count, report.violations) == (40, [])
    assert AuditEvent.objects.count() == 0
