"""The monthly report on crafted loans: rates by channel and point, calibration, PSI and its alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peerlend.accounts.models import ServicePoint, User
from peerlend.scoring.monitoring.report import (
    build_report,
    calibration_rows,
    horizon_pd,
    latest_complete_month,
    parse_base,
    parse_month,
    psi_alerts,
)
from tests.scoring.monitoring.conftest import TODAY, VERSION, decide, installment, loan, population

MAY = dt.date(2026, 5, 1)


def test_latest_complete_month_and_month_parsing() -> None:
    assert latest_complete_month(TODAY) == MAY
    assert latest_complete_month(dt.date(2026, 1, 3)) == dt.date(2025, 12, 1)
    assert parse_month("2026-03") == dt.date(2026, 3, 1)
    assert parse_base("2026-01:2026-03") == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    for bad in ("2026-13", "26-03", "2026/03", "", "1999-12", "3000-01"):
        with pytest.raises(ValueError, match="Invalid month"):
            parse_month(bad)
    with pytest.raises(ValueError, match="before the first"):
        parse_base("2026-03:2026-01")


def test_approval_and_override_rates_by_channel_and_point(
        borrower: User, officer: User, point: ServicePoint) -> None:
    day = dt.date(2026, 5, 10)
    ok = loan(borrower, submitted_on=day, pd="0.05", status="listed", listed_on=day)
    decide(officer, ok, "approve")
    refused = loan(borrower, submitted_on=day, pd="0.05", status="rejected")  # refused below MAX_PD: override
    decide(officer, refused, "reject")
    loan(borrower, submitted_on=day, pd=None, status="rejected")  # anti-fraud refusal: no officer, not scored
    risky = loan(borrower, submitted_on=day, pd="0.2500", grade="E5", status="listed", listed_on=day,
                 channel="offline", service_point=point)  # approved at or above MAX_PD: override
    decide(officer, risky, "approve")
    loan(borrower, submitted_on=day, channel="offline", service_point=point)  # pending
    loan(borrower, submitted_on=dt.date(2026, 4, 30), status="rejected")  # another month: not counted

    report = build_report(MAY, TODAY)
    online, offline = report.by_channel
    assert (online.key, online.applications, online.decided, online.approved) == ("online", 3, 3, 1)
    assert online.approval_rate == pytest.approx(1 / 3)
    assert (online.officer_decisions, online.approved_against_model, online.declined_against_model) == (2, 0, 1)
    assert online.override_rate == pytest.approx(0.5)
    assert (offline.applications, offline.decided, offline.approved, offline.overrides) == (2, 1, 1, 1)
    assert offline.approval_rate == 1.0 and offline.override_rate == 1.0
    assert [(p.label, p.applications, p.approved_against_model) for p in report.by_point] == [(point.name, 2, 1)]
    assert str(online.label) == "Online" and str(offline.label) == "Offline service point"


def test_calibration_by_grade_and_vintage(borrower: User) -> None:
    jan = dt.date(2025, 1, 10)
    common = {"submitted_on": jan, "pd": "0.10", "grade": "B3", "status": "current", "disbursed_on": jan}
    unpaid = loan(borrower, **common)  # 90+ days past due from 2025-05-11: bad
    installment(unpaid, 1, dt.date(2025, 2, 10), None)
    loan(borrower, **{**common, "status": "charged_off", "closed_on": dt.date(2025, 8, 1)})  # bad
    late_paid = loan(borrower, **common)  # 30 days late then paid: not bad
    installment(late_paid, 1, dt.date(2025, 2, 10), dt.date(2025, 3, 12))
    loan(borrower, **common)  # clean
    after = loan(borrower, **common)  # bad only after the 12-month horizon: not counted
    installment(after, 12, dt.date(2026, 1, 10), None)
    loan(borrower, **{**common, "grade": "D1", "pd": "0.15"})  # another grade letter
    loan(borrower, **{**common, "disbursed_on": None, "status": "listed"})  # never disbursed: no vintage

    rows = build_report(dt.date(2025, 12, 1), TODAY).calibration
    assert [(r.vintage, r.grade, r.loans, r.bad) for r in rows] == [(dt.date(2025, 1, 1), "B", 5, 2),
                                                                     (dt.date(2025, 1, 1), "D", 1, 0)]
    b = rows[0]
    assert b.observed == pytest.approx(0.4)
    assert b.predicted == pytest.approx(1 - 0.9 ** (12 / 36))
    assert b.mature  # 2025-01 vintage, 12-month horizon, as of 2026-06-15


def test_young_vintage_is_not_mature_and_sees_bad_only_to_date(borrower: User) -> None:
    apr = dt.date(2026, 4, 5)
    x = loan(borrower, submitted_on=apr, status="current", disbursed_on=apr)
    installment(x, 1, dt.date(2026, 5, 5), None)  # 41 days past due on TODAY: not bad yet
    (row,) = build_report(MAY, TODAY).calibration
    assert (row.loans, row.bad, row.mature) == (1, 0, False)


def test_horizon_pd_scales_the_36_month_pd() -> None:
    assert horizon_pd(Decimal("0.10"), 36, horizon=36) == pytest.approx(0.10)
    assert horizon_pd(Decimal("0.10"), 6) == pytest.approx(1 - 0.9 ** (6 / 36))  # term shorter than horizon
    assert calibration_rows([], TODAY) == []


def test_psi_zero_on_the_same_population_and_no_alert(borrower: User) -> None:
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1), MAY):
        population(borrower, month)
    report = build_report(MAY, TODAY)
    assert report.model_version == VERSION
    assert report.reference == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert (report.n_reference, report.n_month) == (150, 50)
    names = [r.name for r in report.psi_rows]
    assert names[:2] == ["score", "grade"] and "employment_years" in names and "inq_last_6mths" in names
    assert all(r.value is not None and r.value < 1e-9 for r in report.psi_rows), report.psi_rows
    assert report.alerts == [] and psi_alerts(TODAY) is None


def test_shifted_month_raises_the_alert_above_025(borrower: User) -> None:
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        population(borrower, month)
    population(borrower, MAY, pd_shift=Decimal("0.05"), inq_fi=None)
    alert = psi_alerts(TODAY)
    assert alert is not None and alert.month == MAY
    by_name = {r.name: r for r in alert.psi_rows}
    assert by_name["score"].value > 0.25 and by_name["score"].level == "alert"
    assert by_name["employment_years"].value == pytest.approx(0.0, abs=1e-9)  # inputs unchanged
    assert "score" in [r.name for r in alert.alerts]


def test_small_shift_stays_below_the_alert(borrower: User) -> None:
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        population(borrower, month)
    population(borrower, MAY, n=45)
    population(borrower, MAY, n=5, pd_shift=Decimal("0.01"))  # a tenth of the month one bin up
    report = build_report(MAY, TODAY)
    score = report.psi_rows[0]
    assert 0 < score.value < 0.25
    assert psi_alerts(TODAY) is None


def test_other_model_versions_stay_out_of_the_psi(borrower: User) -> None:
    population(borrower, dt.date(2026, 1, 1))
    loan(borrower, submitted_on=dt.date(2025, 12, 3), pd="0.30", version="old-model")
    population(borrower, MAY)
    report = build_report(MAY, TODAY)
    assert report.reference == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert report.psi_rows[0].value == pytest.approx(0.0, abs=1e-9)


def test_no_data_reports_empty_without_error() -> None:
    report = build_report(MAY, TODAY)
    assert report.psi_rows == [] and report.calibration == [] and report.by_point == []
    assert [r.applications for r in report.by_channel] == [0, 0]
    assert report.as_dict()["month"] == "2026-05"
