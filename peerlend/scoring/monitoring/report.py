"""The monthly model report, computed on read (nothing stored; a GET never writes).

Definitions (also in docs/monitoring.md):

- **Month**: applications submitted on business dates in the calendar month. The *latest complete
  month* is the one before the business date's month.
- **Reference**: the applications scored by the current model version (that of the latest scored
  application) in its first :data:`REFERENCE_MONTHS` calendar months, or an explicit month range.
  Only applications scored by the current version enter either side of a PSI.
- **PSI** (``peerlend.domain.psi``): of the score (the PD each application was scored at; deciles of
  PD and of score points are the same bins, the score being monotone in PD), of the grade (one bin per
  grade) and of each input of the model artifact (``ApplicationFacts.from_object`` then the input's
  own computation; deciles of the reference plus an unknown bin).
- **Calibration by grade letter and vintage** (month of disbursement): the mean predicted PD over
  the horizon against the observed bad rate. The model's PD is over 36 months
  (``MODEL_HORIZON_MONTHS``); over ``h = min(horizon, term)`` months it is ``1 - (1 - pd) ** (h / 36)``.
  Bad = 90+ days past due, defaulted or charged off within :data:`HORIZON_MONTHS` months of
  disbursement. A vintage is *mature* once the horizon has passed for all its loans; before that the
  observed rate is to date and understates the final one.
- **Approval rate**: approved / decided, over the month's applications with a decision (automatic
  anti-fraud refusals count as refused).
- **Override**: the platform records no separate model recommendation, so the model's implied one is
  taken from its PD: *decline* at or above ``MAX_PD`` (grade E5, where the credit limit is zero),
  *approve* below. An override is a risk officer's final decision against it: approving an
  application at or above ``MAX_PD``, or refusing one below. Override rate = overrides / officer
  decisions on scored applications.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from peerlend.domain.credit_limit import MAX_PD
from peerlend.domain.pricing import MODEL_HORIZON_MONTHS
from peerlend.domain.psi import PSI_ALERT, PSI_WATCH, category_counts, numeric_psi, psi
from peerlend.scoring.model import CreditModel
from peerlend.scoring.monitoring.source import (
    APPROVED,
    PENDING,
    REJECTED,
    MonitoredApplication,
    MonitoringSource,
    monitoring_source,
)
from peerlend.scoring.retraining.live import live_model, model_for_version

REFERENCE_MONTHS = 3
HORIZON_MONTHS = 12
CALIBRATION_VINTAGES = 12  # vintages shown: the report month and the 11 before it
MIN_MONTH, MAX_MONTH = date(2000, 1, 1), date(2999, 12, 1)  # the documented range of --month

# Input labels for people (feature names are codes).
INPUT_LABELS = {
    "long_term": _("Long term"),
    "income_not_verified": _("Income not verified"),
    "employment_unknown": _("Employment length unknown"),
    "employment_years": _("Years in current job"),
    "delinq_2yrs": _("Late payments in 2 years"),
    "acc_now_delinq": _("Accounts now past due"),
    "past_due_amount": _("Amount now past due"),
    "inq_last_6mths": _("Credit inquiries, 6 months"),
    "inq_last_12m": _("Credit inquiries, 12 months"),
    "inq_fi": _("Personal-finance inquiries"),
    "finance_inquiry_share": _("Share of personal-finance inquiries"),
    "open_il_6m": _("Instalment loans open"),
    "open_il_12m": _("Loans opened in 12 months"),
    "open_il_24m": _("Loans opened in 24 months"),
    "num_il_tl": _("Instalment loans ever held"),
    "revol_util": _("Card limit used"),
    "all_util": _("All credit used"),
    "loan_to_income": _("Loan to income"),
    "il_balance_to_income": _("Loan balances to income"),
    "il_unpaid_share": _("Share of loans still owed"),
}
LEVEL_LABELS = {"stable": _("Stable"), "watch": _("Some shift"), "alert": _("Shift: act"), "none": _("No data")}
CHANNEL_LABELS = {"online": _("Online"), "offline": _("Offline service point")}


def add_months(month: date, n: int) -> date:
    k = month.year * 12 + month.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def latest_complete_month(today: date) -> date:
    return add_months(month_start(today), -1)


@dataclass(frozen=True)
class PsiRow:
    name: str
    label: str
    value: float | None  # None: one side had no observations
    n_reference: int
    n_month: int

    @property
    def level(self) -> str:
        if self.value is None:
            return "none"
        return "alert" if self.value > PSI_ALERT else "watch" if self.value > PSI_WATCH else "stable"

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])


@dataclass(frozen=True)
class CalibrationRow:
    vintage: date
    grade: str  # grade letter A..E
    loans: int
    predicted: float  # mean predicted PD over the horizon
    bad: int
    mature: bool

    @property
    def observed(self) -> float:
        return self.bad / self.loans if self.loans else 0.0

    @property
    def predicted_pct(self) -> float:
        return self.predicted * 100

    @property
    def observed_pct(self) -> float:
        return self.observed * 100


@dataclass
class RateRow:
    key: str
    label: str
    applications: int = 0
    decided: int = 0
    approved: int = 0
    officer_decisions: int = 0
    approved_against_model: int = 0  # officer approved at PD >= MAX_PD
    declined_against_model: int = 0  # officer refused at PD < MAX_PD

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def overrides(self) -> int:
        return self.approved_against_model + self.declined_against_model

    @property
    def override_rate(self) -> float | None:
        return self.overrides / self.officer_decisions if self.officer_decisions else None

    @property
    def approval_pct(self) -> float | None:
        rate = self.approval_rate
        return None if rate is None else rate * 100

    @property
    def override_pct(self) -> float | None:
        rate = self.override_rate
        return None if rate is None else rate * 100


@dataclass
class ModelReport:
    month: date
    as_of: date
    model_version: str
    reference: tuple[date, date] | None  # first month, last month (inclusive)
    n_reference: int = 0
    n_month: int = 0
    psi_rows: list[PsiRow] = field(default_factory=list)  # score, grade, then each input
    calibration: list[CalibrationRow] = field(default_factory=list)
    by_channel: list[RateRow] = field(default_factory=list)
    by_point: list[RateRow] = field(default_factory=list)
    horizon_months: int = HORIZON_MONTHS

    @property
    def alerts(self) -> list[PsiRow]:
        return [r for r in self.psi_rows if r.level == "alert"]

    def as_dict(self) -> dict[str, object]:
        def rate(r: RateRow) -> dict[str, object]:
            return {"key": r.key, "label": str(r.label), "applications": r.applications, "decided": r.decided,
                    "approved": r.approved, "approval_rate": r.approval_rate,
                    "officer_decisions": r.officer_decisions, "approved_against_model": r.approved_against_model,
                    "declined_against_model": r.declined_against_model, "override_rate": r.override_rate}

        return {
            "month": self.month.strftime("%Y-%m"), "as_of": self.as_of.isoformat(),
            "model_version": self.model_version, "horizon_months": self.horizon_months,
            "reference": [m.strftime("%Y-%m") for m in self.reference] if self.reference else None,
            "n_reference": self.n_reference, "n_month": self.n_month, "psi_alert_above": PSI_ALERT,
            "psi": [{"name": r.name, "label": str(r.label), "psi": r.value, "level": r.level,
                     "n_reference": r.n_reference, "n_month": r.n_month} for r in self.psi_rows],
            "calibration": [{"vintage": c.vintage.strftime("%Y-%m"), "grade": c.grade, "loans": c.loans,
                             "predicted_pd": c.predicted, "bad": c.bad, "observed_bad_rate": c.observed,
                             "mature": c.mature} for c in self.calibration],
            "by_channel": [rate(r) for r in self.by_channel],
            "by_service_point": [rate(r) for r in self.by_point],
        }


def _psi_row(name: str, label: str, ref: Sequence[float | None], cur: Sequence[float | None]) -> PsiRow:
    value = numeric_psi(ref, cur) if ref and cur else None
    return PsiRow(name, label, value, len(ref), len(cur))


def psi_rows(reference: Sequence[MonitoredApplication], month: Sequence[MonitoredApplication],
             model: CreditModel | None = None) -> list[PsiRow]:
    """PSI of the score (PD), the grade and each input of ``model`` (default: the live one), month against
    reference."""
    model = model or live_model()
    rows = [_psi_row("score", str(_("Score (PD)")), [float(a.pd) for a in reference if a.pd is not None],
                     [float(a.pd) for a in month if a.pd is not None])]
    if reference and month:
        e, a = category_counts((r.grade for r in reference), (m.grade for m in month))
        rows.append(PsiRow("grade", str(_("Grade")), psi(e, a), len(reference), len(month)))
    else:
        rows.append(PsiRow("grade", str(_("Grade")), None, len(reference), len(month)))
    for inp in model.inputs:
        feat = inp.feature
        rows.append(_psi_row(feat.name, str(INPUT_LABELS.get(feat.name, feat.name)),
                             [feat.compute(a.facts) for a in reference], [feat.compute(a.facts) for a in month]))
    return rows


def horizon_pd(pd: Decimal, term_months: int, horizon: int = HORIZON_MONTHS) -> float:
    """The model's 36-month PD scaled to ``min(horizon, term)`` months (constant hazard)."""
    h = min(horizon, term_months)
    return 1.0 - (1.0 - float(pd)) ** (h / MODEL_HORIZON_MONTHS)


def calibration_rows(loans: Iterable[MonitoredApplication], as_of: date,
                     horizon: int = HORIZON_MONTHS) -> list[CalibrationRow]:
    """Predicted vs observed bad rate by vintage (month of disbursement) and grade letter."""
    groups: dict[tuple[date, str], list[MonitoredApplication]] = defaultdict(list)
    for loan in loans:
        if loan.disbursed_on is None or loan.pd is None or not loan.grade:
            continue
        groups[(month_start(loan.disbursed_on), loan.grade[0])].append(loan)
    rows = []
    for (vintage, letter), members in sorted(groups.items()):
        bad = 0
        for m in members:
            assert m.disbursed_on is not None
            end = _add_months_day(m.disbursed_on, horizon)
            if m.bad_on is not None and m.bad_on <= min(end, as_of):
                bad += 1
        predicted = sum(horizon_pd(m.pd, m.term_months, horizon) for m in members if m.pd is not None)
        mature = as_of >= _add_months_day(add_months(vintage, 1), horizon)
        rows.append(CalibrationRow(vintage, letter, len(members), predicted / len(members), bad, mature))
    return rows


def _add_months_day(day: date, n: int) -> date:
    first = add_months(month_start(day), n)
    last = (add_months(first, 1) - first).days
    return first.replace(day=min(day.day, last))


def rate_rows(apps: Iterable[MonitoredApplication]) -> tuple[list[RateRow], list[RateRow]]:
    """Approval and override rates by channel and by service point (offline applications)."""
    channels = {key: RateRow(key, str(label)) for key, label in CHANNEL_LABELS.items()}
    points: dict[str, RateRow] = {}
    for a in apps:
        targets = [channels.setdefault(a.channel, RateRow(a.channel, a.channel))]
        if a.service_point:
            targets.append(points.setdefault(a.service_point, RateRow(a.service_point, a.service_point)))
        for row in targets:
            _count(row, a)
    return list(channels.values()), [points[k] for k in sorted(points)]


def _count(row: RateRow, a: MonitoredApplication) -> None:
    row.applications += 1
    if a.outcome == PENDING:
        return
    row.decided += 1
    row.approved += a.outcome == APPROVED
    if a.officer_decided and a.pd is not None:
        row.officer_decisions += 1
        model_declines = a.pd >= MAX_PD
        row.approved_against_model += a.outcome == APPROVED and model_declines
        row.declined_against_model += a.outcome == REJECTED and not model_declines


def _fill_psi(report: ModelReport, source: MonitoringSource, current: tuple[str, date],
              month_apps: list[MonitoredApplication], base: tuple[date, date] | None) -> None:
    version, first_day = current
    if base is None:
        base = (month_start(first_day), add_months(month_start(first_day), REFERENCE_MONTHS - 1))
    report.model_version, report.reference = version, base
    ref = [a for a in source.submitted(base[0], add_months(base[1], 1))
           if a.model_version == version and a.pd is not None]
    cur = [a for a in month_apps if a.model_version == version and a.pd is not None]
    report.n_reference, report.n_month = len(ref), len(cur)
    report.psi_rows = psi_rows(ref, cur, model_for_version(version))  # the inputs of the model that scored them


def build_report(month: date, as_of: date, base: tuple[date, date] | None = None) -> ModelReport:
    """The report for ``month`` (its first day) as known on ``as_of``; ``base``: reference months."""
    month = month_start(month)
    report = ModelReport(month=month, as_of=as_of, model_version="", reference=None)
    source = monitoring_source()
    if source is None:
        return report
    month_apps = source.submitted(month, add_months(month, 1))
    current = source.current_model()
    if current is not None:
        _fill_psi(report, source, current, month_apps, base)
    first_vintage = add_months(month, 1 - CALIBRATION_VINTAGES)
    report.calibration = calibration_rows(source.disbursed(first_vintage, add_months(month, 1), as_of), as_of)
    report.by_channel, report.by_point = rate_rows(month_apps)
    return report


def psi_alerts(as_of: date) -> ModelReport | None:
    """The latest complete month's PSI when any is above the alert line (else None), for the compliance
    console: bounded to the reference months and one month of applications, no calibration."""
    source = monitoring_source()
    current = source.current_model() if source else None
    if source is None or current is None:
        return None
    month = latest_complete_month(as_of)
    report = ModelReport(month=month, as_of=as_of, model_version="", reference=None)
    _fill_psi(report, source, current, source.submitted(month, add_months(month, 1)), None)
    return report if report.alerts else None


def parse_month(text: str) -> date:
    """``YYYY-MM`` between 2000-01 and 2999-12 to the month's first day (ValueError with a clear message)."""
    try:
        year, mon = text.strip().split("-")
        if len(year) != 4 or len(mon) != 2:
            raise ValueError
        month = date(int(year), int(mon), 1)
    except ValueError:
        raise ValueError(_("Invalid month %(value)s: use YYYY-MM, e.g. 2026-03.") % {"value": text}) from None
    if not MIN_MONTH <= month <= MAX_MONTH:
        raise ValueError(_("Invalid month %(value)s: it must be between 2000-01 and 2999-12.") % {"value": text})
    return month


def parse_base(text: str) -> tuple[date, date]:
    """``YYYY-MM:YYYY-MM`` (first and last reference month, inclusive)."""
    first, sep, last = text.partition(":")
    start = parse_month(first)
    end = parse_month(last) if sep else start
    if end < start:
        raise ValueError(_("Invalid reference months %(value)s: the last month is before the first.")
                         % {"value": text})
    return start, end
