"""Reads never write: a GET of any page or API route changes no row, whoever asks.

Every route of the project (the URL resolver, as in the authorization matrix) is asked with GET,
at the paths of its rows in the matrix, by anonymous, each member and each staff role, in the
matrix's world. The business day is moved past the listed loan's funding window first, so a
handler that still expires listings (and refunds investors) when a page is read is caught.
Statements are captured with ``connection.execute_wrapper`` around the request only: sessions
and tokens are made before.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from peerlend.clock import set_business_date
from peerlend.lending.models import Loan
from tests.security.test_authz_matrix import ACTORS, CASES, Case, all_routes, send
from tests.security.test_authz_matrix import world as world  # the matrix's world, a fixture

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b|^\s*WITH\b.*\)\s*(INSERT|UPDATE|DELETE)\b",
                    re.IGNORECASE | re.DOTALL)


# The bookkeeping writes a read may make, not business state: when an API token was last used
# (accounts.tokens.record_use), kept for its owner to see, written at most once an hour per token
# and only while the stored time is older than that; and the regulator's access log row. Nothing else
# may be written by a read.
BOOKKEEPING = (
    re.compile(r'^UPDATE "accounts_apitoken" SET "last_used_at" = %s WHERE \(\("accounts_apitoken"\."last_used_at" '
               r'IS NULL OR "accounts_apitoken"\."last_used_at" < %s\) AND "accounts_apitoken"\."id" = %s\)$'),
    # The regulator's access log (issue 16): each page or export a regulator reads appends one row there
    # (compliance.regulator.access.record_access), an append-only table nothing else reads from to decide.
    re.compile(r'^INSERT INTO "compliance_regulatoraccess" \('),
)


def is_write(sql: str) -> bool:
    return bool(_WRITE.search(sql)) and not any(p.match(sql.strip()) for p in BOOKKEEPING)


@contextmanager
def writes_captured() -> Iterator[list[str]]:
    """Collect every statement that writes, run on the default connection inside the block."""
    seen: list[str] = []

    def capture(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if is_write(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield seen


def _get_rows() -> list[Case]:
    """One GET per distinct path of each route that has a row in the matrix (any method)."""
    routes = {r.name for r in all_routes()} | {"admin:*"}
    rows: dict[tuple[str, str, bool], Case] = {}
    for case in CASES:
        if case.route not in routes:
            continue  # a conditional route switched off in these settings
        rows.setdefault((case.route, case.path, case.api), dataclasses.replace(case, method="GET"))
    return list(rows.values())


GET_ROWS = _get_rows()


def _params() -> list[Any]:
    return [pytest.param(c, id=f"{c.route} {c.path}") for c in GET_ROWS]


def test_every_route_is_read():
    read = {c.route for c in GET_ROWS}
    unread = sorted({r.name for r in all_routes() if not r.pattern.startswith("/admin/")} - read)
    assert unread == [], f"routes with no path to GET (give them a row in the authorization matrix): {unread}"


def test_the_capture_sees_a_write(db):
    with writes_captured() as seen:
        Loan.objects.filter(pk=-1).update(title="x")
        list(Loan.objects.select_for_update().filter(pk=-1))
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("UPDATE")
    assert is_write('WITH v(id) AS (VALUES (1)) UPDATE "t" SET a = 1 FROM v')
    assert not is_write("SELECT 1 FOR UPDATE")
    assert is_write('UPDATE "accounts_user" SET "language" = %s, "is_active" = %s WHERE "accounts_user"."id" = %s')


@pytest.fixture
def listing_past_its_window(world: dict[str, Any], db: None) -> None:
    """The business day on which the listed loan's funding window has closed (nothing expired it yet)."""
    listed = Loan.objects.get(pk=world["ids"]["listed"])
    assert listed.status == "listed" and listed.list_expires_on is not None
    set_business_date(listed.list_expires_on)


@pytest.mark.parametrize("case", _params())
def test_a_get_writes_nothing(case: Case, world: dict[str, Any], listing_past_its_window: None) -> None:
    wrong = []
    for actor in ACTORS:
        with writes_captured() as seen:
            response = send(case, world, actor)
        if response.status_code >= 500:
            wrong.append(f"{actor}: server error {response.status_code}")
        if seen:
            wrong.append(f"{actor} ({response.status_code}) wrote: " + " | ".join(s[:90] for s in seen))
    assert not wrong, f"GET {case.path}:\n  " + "\n  ".join(wrong)


def test_an_expired_by_date_listing_is_shown_as_closed(world: dict[str, Any], listing_past_its_window: None):
    listed = world["ids"]["listed"]
    investor = dataclasses.replace(CASES[0], path=f"/loans/{listed}/", route="web:loan_detail")
    with writes_captured() as seen:
        page = send(investor, world, "investor")
        api = send(dataclasses.replace(investor, path=f"/api/loans/{listed}", api=True), world, "investor")
    assert seen == []
    assert page.status_code == 200 and api.status_code == 200
    assert page.context["listing_closed"] is True and page.context["can_invest"] is False
    assert "awaiting refund" in page.content.decode()
    assert api.json()["status"] == "listed" and api.json()["listing_closed"] is True
