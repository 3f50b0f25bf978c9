"""Hostile input from the outside: every request below gets a clear 4xx (never a 500 or a traceback),
writes nothing, and leaves the books clean (issue 11, finding 6 and "invariant after hostile input")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from peerlend.accounts.models import Role, User
from peerlend.clock import set_business_date
from peerlend.ledger.audit import run_audit
from peerlend.ledger.models import IdempotencyRecord
from tests.factories import make_staff, make_user
from tests.lending.conftest import START, deposit

HUGE = 10**20  # far above any 64-bit column
HUGE_TEXT = "99999999999999999999"
OVER_ONE_MB = 1024 * 1024 + 1
# json.loads gives up with RecursionError long before this depth.
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_AMOUNT = '{"amount": ' + "[" * 100_000 + "]" * 100_000 + "}"
# Parses, but is far deeper than any body this API accepts.
NESTED_AMOUNT = '{"amount": ' + "[" * 400 + '"1.00"' + "]" * 400 + "}"

APPLICATION: dict[str, Any] = {
    "amount": "12000.00", "term_months": 12, "repayment_method": "equal_principal",
    "purpose": "education", "annual_income": "150000.00", "employment_years": 4,
}
COUNT_FIELDS = ("employment_years", "delinq_2yrs", "inq_last_6mths", "inq_last_12m", "acc_now_delinq",
                "open_il_6m", "open_il_12m", "open_il_24m", "num_il_tl", "term_months")


@dataclass(frozen=True)
class Probe:
    name: str
    method: str
    path: str
    body: str | bytes | dict[str, Any] | None = None
    content_type: str = "application/json"
    # Who sends it: "anonymous", "member" (a verified borrower and investor), "operator".
    who: tuple[str, ...] = ("anonymous", "member")
    # Acceptable answers; a 4xx unless a graceful page is the right answer (a form shown again).
    ok: Callable[[int], bool] = field(default=lambda status: 400 <= status < 500)
    headers: tuple[tuple[str, str], ...] = ()


def _app(**change: Any) -> dict[str, Any]:
    return {**APPLICATION, **change}


def _web_form(**change: Any) -> dict[str, Any]:
    return {"amount": "12000.00", "term_months": "12", "repayment_method": "equal_principal",
            "purpose": "education", "annual_income": "150000.00", "borrower_type": "person", "housing": "rent",
            "delinq_2yrs": "0", "inq_last_6mths": "0", **change}


def _form_shown_again(status: int) -> bool:
    return status == 200 or 400 <= status < 500


def _graceful(status: int) -> bool:
    return status in (200, 302) or 400 <= status < 500


KEY = (("HTTP_IDEMPOTENCY_KEY", "hostile-1"),)
PROBES: list[Probe] = [
    # -- non-finite and huge numbers in query strings
    *[Probe(f"api-loans-min_rate-{v}", "GET", f"/api/loans?min_rate={v}")
      for v in ("NaN", "-Infinity", "Infinity", "1e999", "sNaN", "-5", "abc", "1e-999999999")],
    Probe("api-loans-max_rate-NaN", "GET", "/api/loans?max_rate=NaN"),
    Probe("api-loans-page-huge", "GET", f"/api/loans?page={HUGE_TEXT}"),
    Probe("api-loans-page-zero", "GET", "/api/loans?page=0"),
    Probe("api-loans-term-huge", "GET", f"/api/loans?term={HUGE_TEXT}"),
    Probe("api-loan-id-huge", "GET", f"/api/loans/{HUGE_TEXT}"),
    Probe("api-account-limit-huge", "GET", f"/api/account?limit={HUGE_TEXT}", ok=lambda s: s in (200, 401)),
    *[Probe(f"web-loans-min_rate-{v}", "GET", f"/loans/?min_rate={v}")
      for v in ("NaN", "-Infinity", "Infinity", "1e999", "abc")],
    Probe("web-loans-max_rate-Infinity", "GET", "/loans/?max_rate=Infinity"),
    Probe("web-loans-term-huge", "GET", f"/loans/?term={HUGE_TEXT}"),
    Probe("web-loans-page-huge", "GET", f"/loans/?page={HUGE_TEXT}", ok=lambda s: s == 200),
    Probe("web-loan-id-huge", "GET", f"/loans/{HUGE_TEXT}/"),
    # -- application facts out of range (the API)
    Probe("api-apply-num_il_tl-negative", "POST", "/api/loans", _app(num_il_tl=-1)),
    *[Probe(f"api-apply-{name}-huge", "POST", "/api/loans", _app(**{name: HUGE})) for name in COUNT_FIELDS],
    *[Probe(f"api-apply-{name}-negative", "POST", "/api/loans", _app(**{name: -1})) for name in COUNT_FIELDS],
    *[Probe(f"api-apply-revol_util_pct-{v}", "POST", "/api/loans", _app(revol_util_pct=v))
      for v in ("NaN", "sNaN", "Infinity", "-Infinity", "1e999", "-1", "201")],
    Probe("api-apply-util-json-1e999", "POST", "/api/loans",
          json.dumps(APPLICATION)[:-1] + ', "all_util_pct": 1e999}'),
    Probe("api-apply-income-huge", "POST", "/api/loans", _app(annual_income=HUGE_TEXT + ".00")),
    Probe("api-apply-income-NaN", "POST", "/api/loans", _app(annual_income="NaN")),
    Probe("api-apply-debts-huge", "POST", "/api/loans", _app(monthly_debt_payments=HUGE_TEXT + ".00")),
    Probe("api-apply-deep-json", "POST", "/api/loans", DEEP_ARRAY),
    Probe("api-apply-deep-field", "POST", "/api/loans", '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    Probe("api-apply-nested-field", "POST", "/api/loans", '{"title": ' + "[" * 400 + "]" * 400 + "}"),
    # -- deeply nested JSON on the money routes
    *[Probe(f"api-{route}-{name}", "POST", f"/api/{route}", body, headers=KEY)
      for route in ("deposits", "withdrawals")
      for name, body in (("deep-array", DEEP_ARRAY), ("deep-amount", DEEP_AMOUNT), ("nested-amount", NESTED_AMOUNT))],
    # -- ids too large for any column, in paths
    *[Probe(f"api-path-id-huge-{path}", "POST", path.replace("ID", HUGE_TEXT), {"amount": "100.00", "reason": "x"},
            headers=KEY)
      for path in ("/api/loans/ID/investments", "/api/loans/ID/repayments", "/api/loans/ID/prepayments",
                   "/api/loans/ID/cancel", "/api/reviews/ID/approve")],
    *[Probe(f"web-path-id-huge-{path}", "GET", path.replace("ID", HUGE_TEXT))
      for path in ("/my/loans/ID/repayments", "/review/ID/", "/review/documents/ID", "/loans/ID/contract.pdf")],
    *[Probe(f"web-post-id-huge-{path}", "POST", path.replace("ID", HUGE_TEXT),
            {"amount": "100.00", "idempotency_key": "k", "action": "note", "text": "x"}, content_type="form",
            ok=_graceful)  # these forms answer a refusal with a message on the page they redirect to
      for path in ("/loans/ID/invest", "/loans/ID/cancel", "/my/loans/ID/repay", "/collections/ID")],
    # -- money amounts far above any limit
    *[Probe(f"api-{route}-amount-huge", "POST", f"/api/{route}", {"amount": HUGE_TEXT + ".00"}, headers=KEY)
      for route in ("deposits", "withdrawals")],
    # -- bodies over 1 MB, JSON and forms, with and without login
    *[Probe(f"oversize-json-{path}", "POST", path, b"{" + b" " * OVER_ONE_MB + b"}", headers=KEY)
      for path in ("/api/auth/token", "/api/auth/register", "/api/loans", "/api/deposits", "/api/withdrawals",
                   "/api/kyc", "/api/health")],
    *[Probe(f"oversize-form-{path}", "POST", path, b"a=" + b"x" * OVER_ONE_MB,
            content_type="application/x-www-form-urlencoded")
      for path in ("/login", "/register", "/inbox", "/apply/", "/account/deposit", "/", "/api/auth/token")],
    Probe("oversize-multipart-api", "POST", "/api/auth/token",
          b"--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n" + b"x" * OVER_ONE_MB + b"\r\n--b--\r\n",
          content_type="multipart/form-data; boundary=b"),
    # -- ids that are not numbers
    *[Probe(f"web-inbox-id-{v}", "POST", "/inbox", {"id": v}, content_type="form")
      for v in ("abc", HUGE_TEXT, "-1", "1e3", "NaN")],
    *[Probe(f"web-reconciliation-item_id-{v}", "POST", "/operator/reconciliation", {"item_id": v, "reason": "x"},
            content_type="form", who=("anonymous", "member", "operator"), ok=_graceful)
      for v in ("abc", HUGE_TEXT, "-1")],
    # -- the web application form: shown again with the reason, nothing written
    *[Probe(f"web-apply-{name}-huge", "POST", "/apply/", _web_form(**{name: HUGE_TEXT}), content_type="form",
            ok=_form_shown_again)
      for name in ("employment_years", "delinq_2yrs", "inq_last_6mths", "open_il_12m", "num_il_tl", "term_months")],
    *[Probe(f"web-apply-revol-{v}", "POST", "/apply/", _web_form(revol_util_pct=v), content_type="form",
            ok=_form_shown_again) for v in ("NaN", "Infinity", "1e999")],
    Probe("web-apply-income-huge", "POST", "/apply/", _web_form(annual_income=HUGE_TEXT), content_type="form",
          ok=_form_shown_again),
]
# Reconciliation items are resolved only by operators: the probe about ids is meaningful for them.
_STRICT_RECONCILIATION = {"operator"}


# A refused request that carried an Idempotency-Key is remembered with its answer, so that a replay
# gets the same 4xx: the only row hostile input may leave, and it must be finished, with that 4xx.
_REMEMBERED_ANSWERS = "ledger.IdempotencyRecord"


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and model._meta.label != _REMEMBERED_ANSWERS}


def _assert_remembered_answers_are_refusals() -> None:
    for record in IdempotencyRecord.objects.all():
        assert record.state == IdempotencyRecord.State.DONE and 400 <= (record.response_status or 0) < 500, (
            record.scope, record.state, record.response_status)


@pytest.fixture
def people(db: None) -> dict[str, User | None]:
    set_business_date(START)
    member = make_user(roles=("borrower", "investor"))
    deposit(member, 1_000_00)
    operator = make_staff(Role.OPERATOR)
    return {"anonymous": None, "member": member, "operator": operator}


def _client(who: str, people: dict[str, User | None]) -> Client:
    # A logged-in session serves both the pages and the API (the test client skips CSRF checks).
    # raise_request_exception=False: a server error is observed as the 500 a browser would get.
    client = Client(raise_request_exception=False)
    user = people[who]
    if user is not None:
        client.force_login(user)
    return client


def _send(probe: Probe, client: Client) -> Any:
    extra: dict[str, str] = dict(probe.headers)
    call = getattr(client, probe.method.lower())
    if probe.method == "GET":
        return call(probe.path, **extra)
    if probe.content_type == "form":
        return call(probe.path, data=probe.body, **extra)
    body = probe.body if isinstance(probe.body, str | bytes) else json.dumps(probe.body)
    return call(probe.path, data=body, content_type=probe.content_type, **extra)


CASES = [pytest.param(p, who, id=f"{p.name}[{who}]") for p in PROBES for who in p.who]


@pytest.mark.parametrize(("probe", "who"), CASES)
def test_hostile_input_is_refused_and_writes_nothing(people, probe: Probe, who: str) -> None:
    client = _client(who, people)
    before = _row_counts()
    response = _send(probe, client)
    status = response.status_code
    content = response.content
    assert status < 500, (status, content[:500])
    assert b"Traceback" not in content
    ok = probe.ok
    if probe.name.startswith("web-reconciliation") and who in _STRICT_RECONCILIATION:
        ok = lambda s: 400 <= s < 500  # noqa: E731 - a malformed id is a 400 for an operator too
    if probe.name.startswith("oversize"):
        ok = lambda s: s == 413  # noqa: E731 - refused before anyone reads it, logged in or not
    elif who == "anonymous" and not probe.path.startswith("/api/") and status == 302:
        ok = lambda s: response["Location"].startswith("/login")  # noqa: E731 - pages for members only
    assert ok(status), (status, content[:500])
    if probe.path.startswith("/api/") and 400 <= status < 500:
        body = response.json()
        assert body.get("detail") and body.get("code"), body
    after = _row_counts()
    assert after == before, {k: (before[k], after[k]) for k in after if after[k] != before.get(k)}
    _assert_remembered_answers_are_refusals()
    assert run_audit() == []


def test_all_hostile_input_in_a_row_leaves_the_books_clean(people) -> None:
    clients = {who: _client(who, people) for who in people}
    before = _row_counts()
    for probe in PROBES:
        for who in probe.who:
            assert _send(probe, clients[who]).status_code < 500, probe.name
    assert _row_counts() == before
    _assert_remembered_answers_are_refusals()
    assert run_audit() == []


def test_the_probes_reach_the_services(people) -> None:
    """Controls: the same clients and routes accept well-formed input (so the refusals above are not a 403)."""
    member = _client("member", people)
    assert _send(Probe("ok-apply", "POST", "/api/loans", APPLICATION), member).status_code == 201
    deposit_ok = Probe("ok-deposit", "POST", "/api/deposits", {"amount": "10.00"}, headers=KEY)
    assert _send(deposit_ok, member).status_code == 201
    assert _send(Probe("ok-loans", "GET", "/api/loans?min_rate=5&max_rate=36.5&term=12&page=2"), member).status_code \
        == 200
    assert _send(Probe("ok-market", "GET", "/loans/?min_rate=5.25&term=36"), member).status_code == 200
    assert run_audit() == []
