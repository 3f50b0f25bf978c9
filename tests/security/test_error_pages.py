"""Error answers from the outside: JSON {detail, code} under /api/, a page elsewhere, never a traceback;
bodies over the limit are a 413 on every route (issue 11, finding 6)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from peerlend.accounts.models import Role
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db
SECRET = b"SELECT secret FROM vault"
MB = 1024 * 1024


def _multipart(field: str, size: int, *, filename: str | None = None) -> tuple[bytes, str]:
    disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
    body = (b"--b\r\nContent-Disposition: " + disposition.encode() + b"\r\n"
            + (b"Content-Type: application/pdf\r\n" if filename else b"") + b"\r\n"
            + b"x" * size + b"\r\n--b--\r\n")
    return body, "multipart/form-data; boundary=b"


@override_settings(ROOT_URLCONF="tests.security.urls_boom", DEBUG=False)
def test_a_server_error_is_a_plain_page_or_json_without_a_traceback() -> None:
    # DEBUG=0 is how `make run` and production serve (DEBUG=1 is a developer's explicit choice).
    client = Client(raise_request_exception=False)
    page = client.get("/boom")
    api = client.get("/api/boom")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert b"Server error" in page.content and SECRET not in page.content and b"Traceback" not in page.content
    assert api.status_code == 500
    assert api.json() == {"detail": api.json()["detail"], "code": "server_error"}
    assert SECRET not in api.content


def test_not_found_and_forbidden_pages_and_json() -> None:
    client = Client()
    missing_api = client.get("/api/no-such-route")
    assert missing_api.status_code == 404 and missing_api.json()["code"] == "not_found"
    missing_page = client.get("/no-such-page")
    assert missing_page.status_code == 404 and b"Not found" in missing_page.content
    client.force_login(make_user())
    forbidden = client.get("/review/")
    assert forbidden.status_code == 403 and b"Not allowed" in forbidden.content


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/loans", "/login", "/", "/api/health"])
def test_a_declared_body_over_one_megabyte_is_413_before_anything_reads_it(path: str) -> None:
    response = Client().post(path, data=b"{}", content_type="application/json", CONTENT_LENGTH=str(MB + 1))
    assert response.status_code == 413
    if path.startswith("/api/"):
        assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("value", ["abc", "-5", "1e3"])
def test_a_content_length_that_is_not_a_number_is_400(value: str) -> None:
    response = Client().post("/api/auth/token", data=b"{}", content_type="application/json", CONTENT_LENGTH=value)
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_page_uploads_may_be_larger_but_not_unbounded() -> None:
    agent = make_staff(Role.AGENT)
    client = Client()
    client.force_login(agent)
    body, content_type = _multipart("income_document", 3 * MB, filename="payslip.pdf")
    # Within the upload limit: the form answers (the other fields are missing), no 413.
    assert client.post("/agent/applications/", data=body, content_type=content_type).status_code != 413
    body, content_type = _multipart("income_document", 13 * MB, filename="payslip.pdf")
    assert client.post("/agent/applications/", data=body, content_type=content_type).status_code == 413
    # The API takes no uploads: 1 MB there too.
    body, content_type = _multipart("username", 2 * MB, filename="x.pdf")
    assert Client().post("/api/auth/token", data=body, content_type=content_type).status_code == 413


@pytest.mark.parametrize("debug", [False, True])
def test_a_form_field_over_the_limit_inside_a_multipart_page_body_is_413(debug: bool) -> None:
    # Under the upload limit, so the middleware lets it through; Django refuses the 1.5 MB text field
    # while the view reads the form (RequestDataTooBig), which must be a 413 page, not an error page.
    body, content_type = _multipart("username", MB + MB // 2)
    with override_settings(DEBUG=debug):
        response = Client(raise_request_exception=False).post("/login", data=body, content_type=content_type)
    assert response.status_code == 413
    assert b"Traceback" not in response.content
