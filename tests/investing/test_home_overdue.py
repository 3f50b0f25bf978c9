"""The home page's overdue figures count what is really overdue on the platform."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.clock import set_business_date
from peerlend.investing.selectors import platform_overdue
from peerlend.servicing.batch import run_day
from tests.servicing.conftest import (  # noqa: F401  (fixtures)
    borrower,
    business_day,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
    schedule,
)

pytestmark = pytest.mark.django_db


def test_a_missed_installment_shows_in_the_overdue_figures(client, disbursed_loan):  # noqa: F811
    late = disbursed_loan(amount_minor=12_000_00, term_months=12)
    first_due = schedule(late)[0].due_date
    day = first_due + timedelta(days=5)
    set_business_date(day)
    run_day(day)
    late.refresh_from_db()
    assert late.status == "late"
    figures = platform_overdue()
    assert figures.late_loans >= 1
    assert figures.late_principal_minor >= late.principal_outstanding_minor > 0
    assert figures.overdue_installments_minor >= schedule(late)[0].due_minor > 0
    assert 0 < float(figures.late_share_pct) <= 100
    page = client.get("/").content.decode()
    assert "Loans overdue now" in page and f"{figures.late_share_pct}%" in page
