"""API of the published operating data, vintage statistics and the regulator's pull of the data filing.

Thin: selectors read, this module shapes. Operating data and vintages are public; the filing is for
the regulator role only (a token or session), read-only, and every pull is in the regulator access log.
Amounts are integers in minor units under their ``*_minor`` codes (as stored), rates decimal strings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from peerlend.api.auth import api_auth
from peerlend.api.contract import API_ERRORS, ApiError
from peerlend.clock import business_date
from peerlend.compliance.regulator.access import EXPORT, record_access, require_regulator
from peerlend.disclosure.filing.export import filing_lines
from peerlend.disclosure.models_monthly import MonthlySnapshot
from peerlend.disclosure.monthly import selectors as monthly
from peerlend.disclosure.monthly.figures import FIGURES
from peerlend.disclosure.monthly.periods import month_end, parse_month
from peerlend.disclosure.vintage.stats import BUCKETS, vintage_rows
from peerlend.errors import NotFound

router = Router(tags=["disclosure"])


class FigureOut(Schema):
    code: str
    label: str
    value: int


class SnapshotOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    version: int
    as_of: date
    published_on: date
    supersedes_version: int | None = None
    reason: str = Field("", description="why this version corrects the previous one")
    sha256: str
    figures: dict[str, int] = Field(..., description="integers: *_minor in minor units (CNY fen), else counts")
    labels: dict[str, str]
    rates: dict[str, str]
    fee_schedule: dict[str, Any]


class VintageOut(Schema):
    issue_month: str
    grade: str
    loans: int
    amount_minor: int
    shares: dict[str, str]
    net_loss_minor: int
    net_loss_share: str
    realised_nar: str | None


def snapshot_out(snap: MonthlySnapshot) -> dict[str, Any]:
    return {
        "month": snap.month.strftime("%Y-%m"), "version": snap.version, "as_of": snap.as_of,
        "published_on": snap.published_on,
        "supersedes_version": snap.supersedes.version if snap.supersedes_id and snap.supersedes else None,
        "reason": snap.reason, "sha256": snap.sha256,
        "figures": {k: snap.figures[k] for k in FIGURES if k in snap.figures},
        "labels": {line.code: line.label for line in monthly.figure_lines(snap)},
        "rates": {k: str(v) for k, v in monthly.rates(snap.figures).items()}, "fee_schedule": snap.fee_schedule,
    }


@router.get("/disclosure/monthly", response=list[SnapshotOut], url_name="disclosure_monthly")
def list_monthly(request: HttpRequest) -> list[dict[str, Any]]:
    return [snapshot_out(s) for s in monthly.current_snapshots()]


@router.get("/disclosure/monthly/{month}", response={200: SnapshotOut, API_ERRORS: ApiError},
            url_name="disclosure_month")
def get_month(request: HttpRequest, month: str) -> dict[str, Any]:
    return snapshot_out(monthly.snapshot(parse_month(month)))


@router.get("/disclosure/vintage", response=list[VintageOut], url_name="disclosure_vintage")
def list_vintage(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"issue_month": r.month.strftime("%Y-%m"), "grade": r.grade, "loans": r.loans,
             "amount_minor": r.amount_minor, "shares": {b: str(s) for b, s in zip(BUCKETS, r.shares, strict=True)},
             "net_loss_minor": r.net_loss_minor, "net_loss_share": str(r.net_loss_share),
             "realised_nar": None if r.nar is None else str(r.nar)} for r in vintage_rows(business_date())]


@router.get("/disclosure/filings/{month}", response={200: None, API_ERRORS: ApiError}, auth=api_auth,
            url_name="disclosure_filing")
def get_filing(request: HttpRequest, month: str) -> StreamingHttpResponse:
    """The month's signed loan-level filing as JSON Lines (schema: docs/data-filing.md); regulator only."""
    require_regulator(request.user)
    first = parse_month(month)
    if month_end(first) >= business_date():
        raise NotFound(_("This month is not over yet."), code="month_not_over")
    record_access(actor=request.user, action=EXPORT, path=request.path, filters={"month": month},
                  target=("disclosure.filing", first.strftime("%Y-%m")))
    response = StreamingHttpResponse(filing_lines(first), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="filing-{first:%Y-%m}.jsonl"'
    return response

