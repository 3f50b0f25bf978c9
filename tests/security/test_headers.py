"""Finding 8 (headers): CSP without inline script, HSTS/HTTPS in production, no-store, switchable API docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from peerlend.accounts.models import Role
from peerlend.api.auth import issue_token
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = sorted(ROOT.glob("peerlend/*/templates"))
# Anything the browser would run or style from the page itself instead of a static file.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style|\son[a-z]+\s*=|javascript:|\sstyle\s*=|hx-on",
    re.IGNORECASE,
)


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_pages_carry_a_strict_content_security_policy(client):
    r = client.get("/")
    assert r.status_code == 200
    csp = _csp(r)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]


def test_api_answers_carry_the_policy_too(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and "default-src 'self'" in r["Content-Security-Policy"]


@pytest.mark.parametrize("template_dir", TEMPLATE_DIRS, ids=lambda p: p.parent.name)
def test_no_template_has_inline_script_handlers_or_style(template_dir):
    offenders = []
    for path in template_dir.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert offenders == [], "inline script/style is refused by the CSP:\n" + "\n".join(offenders)


def test_htmx_is_told_not_to_inject_styles_or_eval(client):
    html = client.get("/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "htmx-config meta is missing"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    # The page's behaviour (auto-submit, confirmations, progress bars) comes from a static file.
    assert re.search(r"<script src=\"/static/web/site\.js\" defer></script>", html)


def test_static_site_script_exists_and_is_served(client):
    r = client.get("/static/web/site.js")
    assert r.status_code == 200


def test_security_headers_on_every_page(client):
    r = client.get("/login")
    assert r["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_of_a_logged_in_member_are_never_stored():
    user = make_user(roles=("investor",))
    c = Client()
    c.force_login(user)
    for url in ("/", "/account", "/kyc", "/loans/"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert _no_store(r), (url, r.get("Cache-Control"))


def test_login_page_is_never_stored(client):
    assert _no_store(client.get("/login"))


def test_anonymous_public_pages_may_be_cached(client):
    assert not _no_store(client.get("/"))


def test_authenticated_api_answers_are_never_stored(client):
    user = make_user(roles=("investor",))
    r = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert r.status_code == 200 and _no_store(r), r.get("Cache-Control")
    # A refused token still says no-store: the answer was meant for a credential holder.
    r = client.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert r.status_code == 401 and _no_store(r)


def test_static_files_stay_cacheable(client):
    assert not _no_store(client.get("/static/web/site.css"))


# --- the API documentation switch --------------------------------------------------------------

DOC_URLS = ("/api/docs", "/api/openapi.json")


@override_settings(PEERLEND_API_DOCS="public")
@pytest.mark.parametrize("url", DOC_URLS)
def test_public_docs_are_open(client, url):
    assert client.get(url).status_code == 200


@override_settings(PEERLEND_API_DOCS="off")
@pytest.mark.parametrize("url", DOC_URLS)
def test_docs_switched_off_are_not_found_even_for_staff(url):
    c = Client()
    c.force_login(make_staff(Role.ADMIN))
    assert c.get(url).status_code == 404


@override_settings(PEERLEND_API_DOCS="staff")
@pytest.mark.parametrize("url", DOC_URLS)
def test_staff_docs_refuse_anonymous_and_members(url):
    assert Client().get(url).status_code == 401
    member = Client()
    member.force_login(make_user(roles=("investor",)))
    r = member.get(url)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    token = issue_token(make_user(roles=("borrower",)))
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403


@override_settings(PEERLEND_API_DOCS="staff", PEERLEND_STAFF_2FA=False)
@pytest.mark.parametrize("url", DOC_URLS)
def test_staff_docs_open_to_staff_session_and_token(url):
    c = Client()
    c.force_login(make_staff(Role.OPERATOR))
    r = c.get(url)
    assert r.status_code == 200 and _no_store(r)
    token = issue_token(make_staff(Role.COMPLIANCE))
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@override_settings(PEERLEND_API_DOCS="public")
def test_docs_page_uses_local_assets_only(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html


# --- production settings -----------------------------------------------------------------------

PRODUCTION_ENV = {
    "PEERLEND_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "PEERLEND_PII_KEY": "cHJvZC1waWkta2V5LTAwMDAwMDAwMDAwMDAwMDAwMDA=",
    "PEERLEND_PII_INDEX_KEY": "prod-index-key",
    "PEERLEND_GATEWAY_SECRET": "prod-gateway-secret",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/prod",
    "PEERLEND_GATEWAY": "peerlend.ledger.gateway.bank.HttpCustodyBankGateway",
}
NAMES = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
         "PEERLEND_API_DOCS", "PEERLEND_STAFF_2FA", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def _settings_of(**env: str) -> dict:
    """Import the settings module in a fresh interpreter with ``env``, as a deployment would."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLEND_", "SECURE_", "DJANGO_"))}
    code = ("import json, peerlend.settings as s; "
            f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))")
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd=ROOT, capture_output=True,
                         text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production_env() -> dict[str, str]:
    return dict(PRODUCTION_ENV)


def test_production_turns_on_hsts_https_docs_guard_and_2fa(production_env):
    s = _settings_of(**production_env)
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    # Without a declared trusted proxy, X-Forwarded-Proto is not believed.
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["PEERLEND_API_DOCS"] == "staff"
    assert s["PEERLEND_STAFF_2FA"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True


def test_production_behind_a_trusted_tls_proxy_reads_its_header(production_env):
    s = _settings_of(**production_env, PEERLEND_TLS_PROXY="1")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_keeps_demo_friendly_defaults():
    s = _settings_of(PEERLEND_ENV="development")
    assert s["SECURE_SSL_REDIRECT"] is False and not s["SECURE_HSTS_SECONDS"]
    assert s["PEERLEND_API_DOCS"] == "public" and s["PEERLEND_STAFF_2FA"] is False


def test_an_unknown_docs_mode_is_refused():
    base = {k: v for k, v in os.environ.items() if not k.startswith("PEERLEND_")}
    out = subprocess.run([sys.executable, "-c", "import peerlend.settings"], cwd=ROOT, capture_output=True,
                         text=True, env={**base, "PEERLEND_API_DOCS": "sometimes"}, check=False, timeout=60)
    assert out.returncode != 0 and "PEERLEND_API_DOCS" in out.stderr
