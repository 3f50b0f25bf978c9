"""The custody reconciliation summarised per day and month, for the regulator and the public."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from peerlend.accounts.models import User
from peerlend.compliance.models_regulator import RegulatorAccess
from peerlend.disclosure.regulator import reconciliation as recon
from peerlend.ledger import services
from peerlend.ledger.gateway import sandbox
from peerlend.ledger.models import ReconciliationItem
from peerlend.ledger.reconciliation import import_statement, resolve_item
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(today):
    """March 2: two lines matched, one unknown wire (resolved). March 3: one unknown wire (open). Feb 27: one."""
    investor = make_user()
    deposits = []
    for amount in (100_00, 25_00):
        order = services.create_deposit_order(investor, amount)
        sandbox.pay(order)
        deposits.append(order)
    import_statement(
        "date,reference,amount,direction\n"
        f"2025-03-02,{deposits[0].reference},100.00,in\n"
        f"2025-03-02,{deposits[1].reference},25.00,in\n"
        "2025-03-02,WIRE-1,7.00,in\n"
        "2025-03-03,WIRE-2,3.50,out\n", filename="march.csv")
    import_statement("date,reference,amount,direction\n2025-02-27,WIRE-3,1.00,in\n", filename="feb.csv")
    item = ReconciliationItem.objects.get(reference="WIRE-1")
    resolve_item(make_staff("operator"), item, "unidentified wire held in suspense")


def test_daily_figures(statements):
    days = {r.period: r for r in recon.daily(dt.date(2025, 2, 1), dt.date(2025, 3, 31))}
    assert days["2025-03-02"] == recon.ReconRow("2025-03-02", lines=3, matched=2, matched_minor=125_00,
                                                differences=1, differences_minor=7_00, resolved=1, open=0)
    assert days["2025-03-03"] == recon.ReconRow("2025-03-03", lines=1, differences=1, differences_minor=3_50,
                                                open=1)
    assert days["2025-02-27"].open == 1 and set(days) == {"2025-02-27", "2025-03-02", "2025-03-03"}
    assert recon.daily(dt.date(2025, 3, 3), dt.date(2025, 3, 3))[0].period == "2025-03-03"


def test_monthly_figures_fold_the_days(statements):
    months = recon.monthly(recon.daily(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    assert [m.period for m in months] == ["2025-02", "2025-03"]
    march = months[1]
    assert (march.lines, march.matched, march.differences, march.resolved, march.open) == (4, 2, 2, 1, 1)
    assert march.differences_minor == 10_50
    assert recon.total(months).lines == 5


def test_month_start():
    assert recon.month_start(dt.date(2025, 3, 31), 11) == dt.date(2024, 4, 1)
    assert recon.month_start(dt.date(2025, 1, 15), 0) == dt.date(2025, 1, 1)
    assert recon.month_start(dt.date(2025, 1, 15), 1) == dt.date(2024, 12, 1)


def test_the_public_page_shows_figures_and_no_member_data(client, statements):
    page = client.get("/disclosure/reconciliation").content.decode()
    assert "2025-03-02" in page and "2025-03" in page and "125.00" in page
    # Figures only: no statement reference, no member, no operator's reason.
    assert "WIRE-1" not in page and "deposit:" not in page
    for user in User.objects.all():
        assert user.username not in page
    assert "unidentified wire" not in page
    assert RegulatorAccess.objects.count() == 0  # public reads are not the regulator's


def test_the_regulator_page_and_export(reg_client, statements):
    page = reg_client.get("/regulator/reconciliation?from=2025-03-01&to=2025-03-31").content.decode()
    assert "2025-03-03" in page and "2025-02-27" not in page.split('id="recon-days"')[1]
    response = reg_client.get("/regulator/reconciliation.csv?from=2025-02-01&to=2025-03-31&by=month")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == recon.HEADER
    assert rows[2] == ["2025-03", "4", "2", "125.00", "2", "10.50", "1", "1"]
    assert [r.action for r in RegulatorAccess.objects.order_by("id")] == [
        "regulator.reconciliation", "regulator.reconciliation_export"]


def test_a_bad_range_on_the_regulator_page_is_a_400(reg_client):
    response = reg_client.get("/regulator/reconciliation?from=2025-03-31&to=2025-03-01")
    assert response.status_code == 400 and 'id="recon-error"' in response.content.decode()
    assert reg_client.get("/regulator/reconciliation.csv?from=2025-01-01").status_code == 400
