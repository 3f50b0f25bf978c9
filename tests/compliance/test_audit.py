import itertools
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from peerlend.compliance.maintenance import audit_triggers_disabled
from peerlend.compliance.models import GENESIS_HASH, AuditEvent
from peerlend.compliance.selectors import verify_audit_chain
from peerlend.compliance.services import record_audit
from tests.factories import make_staff, make_user


def _chain(n=3):
    op = make_staff("operator")
    user = make_user()
    return [
        record_audit(actor=op, action="test.action", target=user, old={"n": i}, new={"n": i + 1}, reason=f"r{i}")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_chain_links_and_verifies():
    events = _chain(4)
    assert events[0].prev_hash == GENESIS_HASH
    for prev, ev in itertools.pairwise(events):
        assert ev.prev_hash == prev.hash
    assert all(len(e.hash) == 64 for e in events)
    assert events[0].target_type == "accounts.user"
    assert verify_audit_chain() == []


@pytest.mark.django_db
def test_non_json_values_are_normalised_and_still_verify():
    import datetime as dt
    from decimal import Decimal

    record_audit(actor=None, action="system.job", target=("loan", 7), new={"rate": Decimal("0.1199"),
                 "on": dt.date(2024, 1, 2)})
    ev = AuditEvent.objects.get()
    assert ev.new == {"rate": "0.1199", "on": "2024-01-02"} and ev.actor_username == ""
    assert verify_audit_chain() == []


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE compliance_auditevent SET reason = 'forged'",
    "DELETE FROM compliance_auditevent",
])
def test_database_refuses_update_and_delete(sql):
    _chain(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert verify_audit_chain() == []


@pytest.mark.django_db
def test_orm_update_and_delete_refused():
    ev = _chain(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        ev.delete()


@pytest.mark.django_db
def test_tampering_behind_the_triggers_is_detected():
    events = _chain(3)
    with audit_triggers_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE compliance_auditevent SET reason = 'forged' WHERE id = %s", [events[1].pk])
    problems = verify_audit_chain()
    assert len(problems) == 1 and f"audit event {events[1].pk}" in problems[0] and "edited" in problems[0]
    # The triggers are back.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE compliance_auditevent SET reason = 'again'")


@pytest.mark.django_db
def test_removed_row_is_detected():
    events = _chain(3)
    with audit_triggers_disabled(), connection.cursor() as cur:
        cur.execute("DELETE FROM compliance_auditevent WHERE id = %s", [events[1].pk])
    problems = verify_audit_chain()
    assert len(problems) == 1 and f"audit event {events[2].pk}" in problems[0] and "removed" in problems[0]


@pytest.mark.django_db
def test_rehashed_row_still_breaks_the_link():
    """An attacker who edits a row and recomputes its hash breaks the next row's link."""
    events = _chain(3)
    ev = AuditEvent.objects.get(pk=events[0].pk)
    ev.reason = "forged"
    new_hash = ev.compute_hash()
    with audit_triggers_disabled(), connection.cursor() as cur:
        cur.execute("UPDATE compliance_auditevent SET reason='forged', hash=%s WHERE id=%s", [new_hash, ev.pk])
    problems = verify_audit_chain()
    assert len(problems) == 1 and f"audit event {events[1].pk}" in problems[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_linear_chain():
    op = make_staff("operator")
    errors = []

    def worker(i):
        try:
            for j in range(5):
                with transaction.atomic():
                    record_audit(actor=op, action="test.concurrent", new={"w": i, "j": j})
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
    assert AuditEvent.objects.count() == 40
    assert verify_audit_chain() == []
