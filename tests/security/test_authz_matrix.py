"""Authorization matrix: every route of the project × anonymous, each role and the wrong owner.

``CASES`` below is the table. Each row is one request (GET for reads, POST for writes; pages use
the session, the JSON API a bearer token) and the answer expected for each actor, as a category:

* ``ok``      2xx, or a redirect to a page other than a log-in page, without an error message;
* ``refused`` the caller got past the authorization checks and the action was refused on its input
              or state: 400/405/409/422/429, or a page that redirects with an error message;
* ``pass``    ``ok`` or ``refused`` (authorized; the outcome itself is pinned by other tests);
* ``login``   401, or a redirect to a log-in page (the site's or the admin site's);
* ``deny``    403 or 404.

A 5xx always fails. After every POST answered other than ``ok``, the books must be as before
(postings, servicing payments, notes, contact notes, loan statuses and versions): a refused or
denied write moves nothing.

Actors (``ACTORS``): ``anonymous``; ``borrower``, the member who owns the objects (the late
loan, the listed loan, the pending deposit order); ``investor``, who holds notes in the late
loan; ``wrong_owner``, a verified member with both member roles who owns nothing here; and one
user per staff role. The application under review ({review}) belongs to another member (one
application in progress per borrower) and was filed by ``agent``, who works at a service point.

``test_every_route_has_a_row`` walks ``django.urls.get_resolver()`` (pages, the ninja API under
/api/, the admin site as one row group): a route without a row, or a row without a route, fails
it and names the route. The world is built once per module; each row runs in its own rolled-back
transaction, so a write allowed in one row never changes what another row sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peerlend.accounts.models import ApiToken, Role, User
from peerlend.api.auth import issue_token
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.lending import services as lending
from peerlend.lending.models import Loan, LoanDocument

# ---------------------------------------------------------------- actors and answers

MEMBERS = ("borrower", "investor", "wrong_owner")
STAFF = ("agent", "risk_officer", "collections", "operator", "compliance", "regulator", "admin")
ACTORS = ("anonymous", *MEMBERS, *STAFF)
# Staff who may read any loan page and its documents (lending.selectors.is_staff_viewer).
LOAN_VIEWERS = ("risk_officer", "collections", "operator", "compliance", "regulator", "admin")
OPERATORS = ("operator", "admin")  # the operator pages (ledger views: OPERATOR_ROLES)
ADMIN_SITE = ("operator", "admin")  # is_staff: the Django admin site lets them in
RELATED_PARTY_STAFF = ("operator", "compliance", "admin")  # the related-party page (web.views.disclosure_related)

OK, REFUSED, PASS, LOGIN, DENY = "ok", "refused", "pass", "login", "deny"


def expect(default: str, anonymous: str = LOGIN, **actors: str) -> dict[str, str]:
    """The same answer for every signed-in actor unless named; anonymous gets ``login`` by default."""
    unknown = set(actors) - set(ACTORS)
    assert not unknown, unknown
    return {"anonymous": anonymous, **{a: default for a in ACTORS[1:]}, **actors}


def only(allowed: Iterable[str], answer: str = OK, *, others: str = DENY, anonymous: str = LOGIN) -> dict[str, str]:
    """``answer`` for the ``allowed`` actors, ``others`` for every other signed-in actor."""
    return expect(others, anonymous, **dict.fromkeys(allowed, answer))


@dataclass(frozen=True)
class Case:
    route: str  # the route's name, "namespace:name" ("admin:*" stands for the whole admin site)
    method: str
    path: str  # formatted (and so is ``data``) with the world's ids: {late}, {listed}, {review}, ...
    expect: Mapping[str, str]
    data: Mapping[str, Any] | Callable[[dict[str, Any], str], Mapping[str, Any]] | None = None
    api: bool = False  # JSON body, bearer token and an Idempotency-Key header instead of the session
    conditional: bool = False  # the route exists only under some settings: no failure when absent
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.route} {self.path}"


def _key(world: dict[str, Any], actor: str) -> str:
    return f"matrix-{actor}-{world['seq']}"


def _form(**fields: Any) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    """Form data with a fresh idempotency key per actor (the key of a rendered form)."""
    return lambda world, actor: {**fields, "idempotency_key": _key(world, actor)}


def _credentials(world: dict[str, Any], actor: str) -> dict[str, str]:
    user = world["users"].get(actor)
    return {"username": user.username if user else "nobody-here", "password": "Passw0rd!x"}


def _new_member(world: dict[str, Any], actor: str) -> dict[str, str]:
    name = f"matrix_new_{actor}"
    return {"username": name, "password": "Fresh-Passw0rd-9", "password2": "Fresh-Passw0rd-9", "accept_terms": "on"}


APPLICATION = {"amount": "8000.00", "term_months": 12, "repayment_method": "equal_installment",
               "purpose": "debt_consolidation", "annual_income": "150000.00", "employment_years": 5}

# ---------------------------------------------------------------- the table
# Keep one block per context. Routes added by other work on issue 11 (API token list/revoke
# page, 2FA pages, sandbox pages under settings) get their rows at integration: the coverage
# test below names every route that still lacks one.

CASES: list[Case] = [
    # ---- site pages, accounts
    Case("web:home", "GET", "/", expect(OK, anonymous=OK)),
    Case("web:dashboard", "GET", "/dashboard", expect(OK)),
    Case("web:oversight", "GET", "/compliance/oversight", only(["compliance", "admin"])),
    Case("web:risk_monitoring", "GET", "/risk/monitoring?month=2026-03", only(["risk_officer", "compliance", "admin"])),
    Case("web:risk_models", "GET", "/risk/models", only(["risk_officer", "admin"])),
    Case("web:risk_model_decide", "POST", "/risk/models/1/decide", only(["risk_officer", "admin"], REFUSED), {},
         why="no decision and no reason: the form refuses it with a message"),
    Case("set_language", "POST", "/i18n/setlang/", expect(OK, anonymous=OK), {"language": "en", "next": "/"}),
    Case("web:register", "GET", "/register", expect(OK, anonymous=OK)),
    Case("web:register", "POST", "/register", expect(OK, anonymous=OK), _new_member,
         why="registration is open; a signed-in user who registers becomes the new member"),
    Case("web:login", "GET", "/login", expect(OK, anonymous=OK)),
    Case("web:login", "POST", "/login", expect(OK, anonymous=OK), _credentials,
         why="each actor logs in with its own password; anonymous tries a user that does not exist (form again)"),
    Case("web:logout", "POST", "/logout", expect(OK, anonymous=OK)),
    Case("web:kyc", "GET", "/kyc", expect(OK)),
    Case("web:kyc", "POST", "/kyc", expect(PASS), {"real_name": ""},
         why="members are verified already (page shown again); staff get the form's errors"),
    Case("web:agent_console", "GET", "/agent/", only(["agent"])),
    Case("web:agent_console", "POST", "/agent/", only(["agent"], REFUSED), {"username": ""}),
    Case("web:agent_members", "GET", "/agent/members", only(["agent"])),
    Case("web:agent_consent_code", "POST", "/agent/consent-code", only(["agent"], REFUSED),
         {"member_username": "nobody-here"}, why="issue 12 #9: agents only; an unknown member is refused"),
    Case("web:password_reset", "GET", "/password-reset", expect(OK, anonymous=OK)),
    Case("web:password_reset", "POST", "/password-reset", expect(OK, anonymous=OK), {"login": "nobody-here"},
         why="the same answer whoever is asked about: it must not tell who is a member"),
    Case("web:password_set", "GET", "/password/MQ/bad-token", expect(OK, anonymous=OK),
         why="the one-time link itself is the credential: a wrong one shows 'invalid link'"),
    Case("web:terms", "GET", "/terms", expect(OK, anonymous=OK)),
    Case("web:privacy", "GET", "/privacy", expect(OK, anonymous=OK)),
    # ---- ledger pages
    Case("web:account", "GET", "/account", expect(OK)),
    Case("web:account_deposit", "POST", "/account/deposit", expect(PASS), _form(amount="100.00")),
    Case("web:account_withdraw", "POST", "/account/withdraw", expect(PASS), _form(amount="1.00")),
    Case("web:sandbox_pay", "GET", "/sandbox-gateway/pay/{order}", only(["borrower"], anonymous=LOGIN),
         conditional=True, why="finding 1: the sandbox payer page acts for the order's owner only"),
    Case("web:sandbox_pay", "POST", "/sandbox-gateway/pay/{order}", only(["borrower"], anonymous=DENY),
         {"action": "pay"}, conditional=True, why="finding 1: nobody but the owner pays an order"),
    Case("web:sandbox_payouts", "GET", "/sandbox-gateway/payouts", only(OPERATORS), conditional=True),
    Case("web:sandbox_payouts", "POST", "/sandbox-gateway/payouts", only(OPERATORS, REFUSED),
         {"withdrawal_id": "none", "action": "settle"}, conditional=True),
    Case("web:reconciliation", "GET", "/operator/reconciliation", only(OPERATORS)),
    Case("web:reconciliation", "POST", "/operator/reconciliation", only(OPERATORS, REFUSED), {"item_id": "0"}),
    # ---- marketplace pages
    Case("web:marketplace", "GET", "/loans/", expect(OK, anonymous=OK)),
    Case("web:loan_detail", "GET", "/loans/{listed}/", expect(OK, anonymous=OK)),
    Case("web:loan_detail", "GET", "/loans/{review}/", only(["agent", *LOAN_VIEWERS], anonymous=DENY),
         why="an application under review is shown to its parties and loan staff only"),
    Case("web:invest", "POST", "/loans/{listed}/invest",
         expect(REFUSED, investor=OK, wrong_owner=OK), _form(amount="50.00"),
         why="any investor may invest; the borrower in their own loan and staff are refused with a message"),
    Case("web:cancel_loan", "POST", "/loans/{listed}/cancel", expect(REFUSED, borrower=OK),
         why="the page refuses anyone but the borrower with a message"),
    Case("web:contract_pdf", "GET", "/loans/{late}/contract.pdf",
         only(["borrower", "investor", *LOAN_VIEWERS])),
    Case("web:apply", "GET", "/apply/", expect(OK)),
    Case("web:apply", "POST", "/apply/", expect(OK), {"amount": ""},
         why="an empty form is shown again with its errors; the service refuses non-borrowers"),
    Case("web:apply_quote", "GET", "/apply/quote?amount=30000.00&term_months=36", expect(OK, anonymous=OK),
         why="issue 12 defect 7: the price before applying is public and reads nothing personal"),
    Case("web:fees", "GET", "/fees/", expect(OK, anonymous=OK), why="the fee schedule is public"),
    Case("web:my_loans", "GET", "/my/loans/", expect(OK)),
    Case("web:provide_documents", "POST", "/my/loans/{listed}/documents", only(["borrower"], REFUSED), {},
         why="the applicant (or filing agent) only; the listed loan asks for no documents and nothing is attached"),
    Case("web:my_notes", "GET", "/my/notes/", expect(OK)),
    Case("web:review_queue", "GET", "/review/", only(["risk_officer"])),
    Case("web:review_detail", "GET", "/review/{review}/", only(["risk_officer"])),
    Case("web:review_detail", "POST", "/review/{review}/", only(["risk_officer"]),
         lambda world, actor: {"decision": "request_documents", "reason": "payslips", "version": world["version"]}),
    Case("web:review_document", "GET", "/review/documents/{document}", only(["agent", *LOAN_VIEWERS]),
         why="staff viewers, and the agent who uploaded it"),
    Case("web:agent_applications", "GET", "/agent/applications/", only(["agent"])),
    Case("web:agent_applications", "POST", "/agent/applications/", only(["agent"], REFUSED), {"member_username": ""}),
    # ---- servicing pages (finding 4: only the borrower pays through the borrower's routes)
    Case("web:loan_servicing", "GET", "/my/loans/{late}/repayments", only(["borrower"]),
         why="the borrower's page with pay/prepay; collections staff have web:collections_loan (issue 12)"),
    Case("web:repay", "POST", "/my/loans/{late}/repay", only(["borrower"]), _form(amount="100.00")),
    Case("web:prepay", "POST", "/my/loans/{late}/prepay", only(["borrower"]), _form(amount="3000.00")),
    Case("web:notes_income", "GET", "/my/notes/income", expect(OK)),
    Case("web:collections_queue", "GET", "/collections/", only(["collections"])),
    Case("web:collections_loan", "GET", "/collections/loans/{late}/", only(["collections"])),
    Case("web:collections_action", "POST", "/collections/{late}", only(["collections"]),
         _form(action="collect", amount="100.00")),
    Case("web:inbox", "GET", "/inbox", expect(OK)),
    Case("web:notification_preferences", "GET", "/inbox/settings", expect(OK)),
    Case("web:notification_preferences", "POST", "/inbox/settings", expect(OK), {"email": "on"},
         why="each member sets their own channels only"),
    Case("web:inbox", "POST", "/inbox", expect(OK), {"id": "{notification}"},
         why="marks the borrower's message read; for anyone else it is not theirs and nothing changes"),
    # ---- API: meta and accounts
    Case("api:api-root", "GET", "/api/", expect(DENY, anonymous=DENY), why="nothing is served at the root"),
    Case("api:openapi-json", "GET", "/api/openapi.json", expect(OK, anonymous=OK)),
    Case("api:openapi-view", "GET", "/api/docs", expect(OK, anonymous=OK)),
    Case("api:health", "GET", "/api/health", expect(OK, anonymous=OK), api=True),
    Case("api:register", "POST", "/api/auth/register", expect(OK, anonymous=OK), _new_member, api=True),
    Case("api:token", "POST", "/api/auth/token", expect(OK), _credentials, api=True,
         why="each actor asks a token with its own password; anonymous with a user that does not exist"),
    Case("api:revoke", "POST", "/api/auth/token/revoke", expect(OK), api=True),
    Case("api:me", "GET", "/api/me", expect(OK), api=True),
    Case("api:kyc", "POST", "/api/kyc", expect(REFUSED), {"real_name": ""}, api=True),
    # ---- API: ledger
    # Staff hold no verified identity and no money of their own: no deposits, no withdrawals.
    Case("api:create_deposit", "POST", "/api/deposits", only(MEMBERS, PASS), {"amount": "100.00"}, api=True),
    Case("api:create_withdrawal", "POST", "/api/withdrawals", only(MEMBERS, PASS), {"amount": "1.00"}, api=True),
    Case("api:account", "GET", "/api/account", expect(OK), api=True),
    Case("api:gateway_callback", "POST", "/api/gateway/callback", expect(LOGIN),
         {"event": "deposit", "order_id": "x", "status": "succeeded"}, api=True,
         why="the gateway's signature is its only credential: an unsigned callback is a 401 for anybody"),
    # ---- API: marketplace
    Case("api:list_loans", "GET", "/api/loans", expect(OK, anonymous=OK), api=True),
    Case("api:loan_quote", "GET", "/api/quote?amount=30000.00&term_months=36", expect(OK, anonymous=OK), api=True),
    Case("api:apply", "POST", "/api/loans", expect(DENY, borrower=PASS, wrong_owner=PASS), APPLICATION, api=True,
         why="only verified members with the borrower role apply"),
    Case("api:my_loans", "GET", "/api/loans/mine", expect(OK), api=True),
    Case("api:get_loan", "GET", "/api/loans/{listed}", expect(OK), api=True),
    Case("api:get_loan", "GET", "/api/loans/{review}", only(["agent", *LOAN_VIEWERS]), api=True),
    Case("api:invest", "POST", "/api/loans/{listed}/investments",
         expect(DENY, investor=OK, wrong_owner=OK, borrower=DENY), {"amount": "50.00"}, api=True),
    Case("api:cancel", "POST", "/api/loans/{listed}/cancel", only(["borrower"]), {"reason": "x"}, api=True),
    Case("api:provide_documents", "POST", "/api/loans/{listed}/documents", only(["borrower"], REFUSED), {},
         api=True, why="the applicant (or filing agent) only; the listed loan asks for no documents (409)"),
    Case("api:my_notes", "GET", "/api/notes", expect(OK), api=True),
    Case("api:review_queue", "GET", "/api/reviews", only(["risk_officer"]), api=True),
    Case("api:approve", "POST", "/api/reviews/{review}/approve", only(["risk_officer"]), {"reason": "ok"}, api=True),
    Case("api:reject", "POST", "/api/reviews/{review}/reject", only(["risk_officer"]), {"reason": "no"}, api=True),
    Case("api:request_documents", "POST", "/api/reviews/{review}/request-documents", only(["risk_officer"]),
         {"reason": "payslips"}, api=True),
    # ---- API: servicing (finding 4)
    Case("api:repay", "POST", "/api/loans/{late}/repayments", only(["borrower"]), {"amount": "100.00"}, api=True),
    Case("api:prepay", "POST", "/api/loans/{late}/prepayments", only(["borrower"]), {"amount": "3000.00"},
         api=True),
    Case("api:quote", "GET", "/api/loans/{late}/prepayment-quote", only(["borrower"]), api=True),
    Case("api:schedule", "GET", "/api/loans/{late}/schedule", only(["borrower", "investor", "collections"]),
         api=True),
    # ---- API tokens (finding 9): each member sees and revokes only their own tokens
    Case("api:list_tokens", "GET", "/api/auth/tokens", expect(OK), api=True),
    Case("api:refresh", "POST", "/api/auth/token/refresh", expect(OK), api=True,
         why="a bearer token is exchanged for a new one; anonymous has none"),
    Case("api:revoke_by_id", "POST", "/api/auth/tokens/{token}/revoke", only(["borrower"]), api=True,
         why="the borrower's own token; for anybody else it does not exist"),
    Case("web:api_tokens", "GET", "/account/tokens", expect(OK)),
    Case("web:api_token_revoke", "POST", "/account/tokens/{token}/revoke", only(["borrower"])),
    # ---- investor suitability and help (issue 12): members only hold the investor role here
    Case("web:risk_questionnaire", "GET", "/investing/questionnaire", only(MEMBERS)),
    Case("web:risk_questionnaire", "POST", "/investing/questionnaire", only(MEMBERS), {"age": ""},
         why="an incomplete questionnaire is shown again with its errors"),
    Case("web:risk_disclosure", "GET", "/investing/risk-disclosure", only(MEMBERS)),
    Case("web:risk_disclosure", "POST", "/investing/risk-disclosure", only(MEMBERS), {"version": "2026-1"},
         why="unticked: shown again with its error"),
    Case("web:help", "GET", "/help/", expect(OK, anonymous=OK)),
    # ---- investor portfolio (issue 14): investors only (every member here holds the investor role)
    Case("web:portfolio", "GET", "/investing/portfolio", only(MEMBERS)),
    Case("web:portfolio_notes_csv", "GET", "/investing/portfolio/notes.csv", only(MEMBERS)),
    Case("api:investing_portfolio", "GET", "/api/investing/portfolio", only(MEMBERS), api=True),
    Case("api:investing_notes", "GET", "/api/investing/notes", only(MEMBERS), api=True),
    Case("api:investing_notes", "GET", "/api/investing/notes?term=0", only(MEMBERS, REFUSED), api=True,
         why="a filter out of its range is a 400 invalid_filter"),
    Case("api:investing_notes_csv", "GET", "/api/investing/notes.csv", only(MEMBERS), api=True),
    Case("web:portfolio_chart_cash_flow", "GET", "/investing/portfolio/charts/cash-flow.svg", only(MEMBERS)),
    Case("web:portfolio_chart_returns", "GET", "/investing/portfolio/charts/returns.svg", only(MEMBERS)),
    Case("web:portfolio_chart_status", "GET", "/investing/portfolio/charts/status.svg", only(MEMBERS)),
    Case("web:portfolio_chart_grades", "GET", "/investing/portfolio/charts/grades.svg", only(MEMBERS)),
    # ---- auto-invest (issue 14): investors only; the rule {autorule} is the investor's own
    Case("web:auto_invest_rules", "GET", "/investing/auto-invest", only(MEMBERS)),
    Case("web:auto_invest_rule_new", "GET", "/investing/auto-invest/new", only(MEMBERS)),
    Case("web:auto_invest_rule_new", "POST", "/investing/auto-invest/new", only(MEMBERS),
         {"name": "matrix", "amount_per_note": "50.00", "max_per_loan": "50.00", "min_rate": "0",
          "max_borrower_share": "2", "notes_per_loan": "1"}),
    Case("web:auto_invest_activity", "GET", "/investing/auto-invest/activity?loan={listed}", only(MEMBERS)),
    Case("web:auto_invest_rule_edit", "GET", "/investing/auto-invest/{autorule}/edit", only(["investor"])),
    Case("web:auto_invest_rule_toggle", "POST", "/investing/auto-invest/{autorule}/toggle", only(["investor"]),
         {"enabled": "0"}),
    Case("web:auto_invest_rule_delete", "POST", "/investing/auto-invest/{autorule}/delete", only(["investor"])),
    Case("api:autoinvest_rules", "GET", "/api/investing/auto-invest/rules", only(MEMBERS), api=True),
    Case("api:autoinvest_rule_create", "POST", "/api/investing/auto-invest/rules", only(MEMBERS),
         {"name": "matrix", "amount_per_note": "50.00", "max_per_loan": "50.00"}, api=True),
    Case("api:autoinvest_rule", "GET", "/api/investing/auto-invest/rules/{autorule}", only(["investor"]), api=True),
    Case("api:autoinvest_rule_update", "PUT", "/api/investing/auto-invest/rules/{autorule}", only(["investor"]),
         {"name": "matrix 2", "amount_per_note": "50.00", "max_per_loan": "100.00"}, api=True),
    Case("api:autoinvest_rule_delete", "DELETE", "/api/investing/auto-invest/rules/{autorule}", only(["investor"]),
         api=True),
    Case("api:autoinvest_decisions", "GET", "/api/investing/auto-invest/decisions?loan={listed}", only(MEMBERS),
         api=True),
    # ---- statements (issue 14): members prepare their own; {statement} is the borrower's, which operations,
    # compliance and administrators may also download (ledger.statements.selectors.STAFF_READERS)
    Case("web:statements", "GET", "/statements/", only(MEMBERS), why="staff hold no money: no statements page"),
    Case("web:statement_prepare", "POST", "/statements/prepare", only(MEMBERS), {"period": "2026-03", "format": "csv"}),
    Case("web:statement_download", "GET", "/statements/{statement}/download",
         only(["borrower", "operator", "compliance", "admin"])),
    Case("api:create_statement", "POST", "/api/investing/statements", only(MEMBERS),
         {"period": "2026-03", "format": "csv"}, api=True),
    Case("api:list_statements", "GET", "/api/investing/statements", expect(OK), api=True,
         why="the caller's own statements (staff: none)"),
    Case("api:download_statement", "GET", "/api/investing/statements/{statement}/download",
         only(["borrower", "operator", "compliance", "admin"]), api=True),
    # ---- wealth plans (issue 14): the list and terms are public; {plan} is open and {plansub} is the investor's
    Case("web:wealth_plans", "GET", "/investing/plans/", expect(OK, anonymous=OK)),
    Case("web:wealth_plan", "GET", "/investing/plans/{plan}/", expect(OK, anonymous=OK)),
    Case("web:wealth_plan_join", "POST", "/investing/plans/{plan}/join", expect(REFUSED, wrong_owner=OK),
         _form(amount="100.00", reinvest="payout"),
         why="the investor joined already, the borrower has no risk assessment, staff are no investors: messages"),
    Case("web:my_plan_subscriptions", "GET", "/investing/plans/mine", expect(OK)),
    Case("web:wealth_plan_leave", "POST", "/investing/plans/subscriptions/{plansub}/leave", only(["investor"]),
         why="someone else's subscription does not exist for the caller (404)"),
    Case("web:plan_admin", "GET", "/operator/plans/", only(OPERATORS)),
    Case("web:plan_admin", "POST", "/operator/plans/", only(OPERATORS), {"name": ""},
         why="an empty form is shown again with its errors"),
    Case("web:plan_admin_status", "POST", "/operator/plans/{plan}/status", only(OPERATORS, REFUSED),
         {"action": "none"}),
    Case("api:plans", "GET", "/api/investing/plans", expect(OK, anonymous=OK), api=True),
    Case("api:plan", "GET", "/api/investing/plans/{plan}", expect(OK, anonymous=OK), api=True),
    Case("api:plan_subscribe", "POST", "/api/investing/plans/{plan}/subscriptions",
         expect(DENY, investor=REFUSED, wrong_owner=OK), {"amount": "100.00", "reinvest": False}, api=True,
         why="the investor joined already (409); the borrower's suitability and staff's role are refused (403)"),
    Case("api:plan_subscriptions", "GET", "/api/investing/plans/subscriptions", expect(OK), api=True),
    Case("api:plan_leave", "POST", "/api/investing/plans/subscriptions/{plansub}/leave", only(["investor"]),
         api=True),
    # ---- members and points (issue 15 parts 1, 2 and 8): every signed-in user is a member and sees only their own
    Case("web:member_centre", "GET", "/member/", expect(OK)),
    Case("web:member_centre", "GET", "/member/?page=2", expect(OK), why="a page past the end shows the last page"),
    Case("api:marketing_member", "GET", "/api/marketing/member", expect(OK), api=True),
    # ---- referrals (issue 15 part 4): {refcode} is the borrower's code; the link is public; staff have no code
    Case("web:referral_link", "GET", "/r/{refcode}", expect(OK, anonymous=OK), why="a redirect to registration"),
    Case("web:my_referrals", "GET", "/member/referrals/", expect(OK), why="staff see that only members refer"),
    Case("web:referral_code_create", "POST", "/member/referrals/code", only(MEMBERS),
         why="members have theirs already (a replay); staff have none (403)"),
    Case("web:referral_qr", "GET", "/member/referrals/qr.svg", only(MEMBERS), why="no code, no QR code (404)"),
    Case("api:marketing_referrals", "GET", "/api/marketing/referrals", expect(OK), api=True),
    Case("api:referral_code_create", "POST", "/api/marketing/referrals/code", only(MEMBERS), {}, api=True,
         why="staff have no code (403)"),
    Case("api:marketing_points", "GET", "/api/marketing/points?page=1&page_size=5", expect(OK), api=True),
    Case("api:marketing_points", "GET", "/api/marketing/points?page_size=1000", expect(REFUSED), api=True,
         why="page_size outside 1-100: 422"),
    # ---- regulator console (issue 16 parts 5 and 7): GET only (405 to any other method, for everyone), the
    # regulator role only, each read logged; {member} is the borrower's member file (masked without a reason)
    Case("web:regulator", "GET", "/regulator/", only(["regulator"])),
    Case("web:regulator", "POST", "/regulator/", expect(REFUSED, anonymous=REFUSED), why="read-only: 405"),
    Case("web:regulator_loans", "GET", "/regulator/loans?status=late", only(["regulator"])),
    Case("web:regulator_members", "GET", "/regulator/members?q=user", only(["regulator"])),
    Case("web:regulator_member", "GET", "/regulator/members/{member}", only(["regulator"])),
    Case("web:regulator_member", "POST", "/regulator/members/{member}", expect(REFUSED, anonymous=REFUSED),
         {"reason": "a reason long enough"}, why="read-only: 405"),
    Case("web:regulator_audit", "GET", "/regulator/audit", only(["regulator"])),
    Case("web:regulator_access_log", "GET", "/regulator/access-log", only(["regulator"])),
    Case("web:regulator_exports", "GET", "/regulator/exports/", only(["regulator"])),
    Case("web:regulator_export", "GET", "/regulator/exports/loans.csv?from=2026-01-01&to=2026-12-31",
         only(["regulator"])),
    Case("web:regulator_export", "GET", "/regulator/exports/overdue.xlsx?from=2026-01-01&to=2026-12-31",
         only(["regulator"])),
    Case("web:regulator_reconciliation", "GET", "/regulator/reconciliation", only(["regulator"])),
    Case("web:regulator_reconciliation_export", "GET", "/regulator/reconciliation.csv?from=2026-01-01&to=2026-12-31",
         only(["regulator"])),
    Case("web:disclosure_reconciliation", "GET", "/disclosure/reconciliation", expect(OK, anonymous=OK),
         why="public figures, no member data"),
    # ---- service-point network (issue 15 part 6): public locator; operators edit points and staff; the agent of
    # {point} verifies {review} (its member) and sees {photo}; {receipt} was taken at another point on the late loan
    Case("web:service_points", "GET", "/service-points/", expect(OK, anonymous=OK)),
    Case("api:service_points", "GET", "/api/service-points", expect(OK, anonymous=OK), api=True),
    Case("web:point_admin", "GET", "/operator/service-points/", only(OPERATORS)),
    Case("web:point_admin", "POST", "/operator/service-points/", only(OPERATORS, REFUSED), {"code": ""},
         why="an empty form is shown again with its errors (400)"),
    Case("web:point_reconciliation", "GET", "/operator/service-points/reconciliation", only(OPERATORS)),
    Case("web:point_admin_detail", "GET", "/operator/service-points/{point}/", only(OPERATORS)),
    Case("web:point_admin_detail", "POST", "/operator/service-points/{point}/", only(OPERATORS, REFUSED),
         {"code": ""}),
    Case("web:point_admin_staff", "POST", "/operator/service-points/{point}/staff", only(OPERATORS, REFUSED),
         {"username": ""}),
    Case("web:point_admin_staff_remove", "POST", "/operator/service-points/{point}/staff/{membership}/remove",
         only(OPERATORS), {"reason": "matrix"}),
    Case("web:agent_visits", "GET", "/agent/visits/", only(["agent"])),
    Case("web:agent_visits", "POST", "/agent/visits/", only(["agent"], REFUSED), {"member_username": ""}),
    Case("web:agent_field_verification", "GET", "/agent/loans/{review}/field-verification", only(["agent"])),
    Case("web:agent_field_verification", "POST", "/agent/loans/{review}/field-verification",
         only(["agent"], REFUSED), {"result": ""}),
    Case("web:field_photo", "GET", "/review/field-photos/{photo}", only(["agent", *LOAN_VIEWERS]),
         why="staff viewers, and the agent who took it"),
    Case("web:agent_counter", "GET", "/agent/counter/", only(["agent"])),
    Case("web:agent_counter", "POST", "/agent/counter/", only(["agent"], REFUSED), _form(loan_id="{late}"),
         why="the late loan's borrower is no member of the agent's point; no amount either"),
    Case("web:counter_receipt", "GET", "/counter/receipts/{receipt}", only(["borrower", *LOAN_VIEWERS]),
         why="its borrower and staff viewers; the agent works at another point"),
    Case("web:point_day_close", "GET", "/agent/point/close", only(["agent"])),
    Case("web:point_day_close", "POST", "/agent/point/close", only(["agent"], REFUSED), _form(day="", counted=""),
         why="a day is required (and only a manager closes it)"),
    # ---- coupons (issue 15 part 3): members see their own; {coupon_template} is not sold for points; {fee_coupon} is
    # the borrower's fee discount (for the borrower's {listed} loan); {service_code} a service voucher for the agent
    Case("web:my_coupons", "GET", "/coupons/", expect(OK)),
    Case("web:coupon_buy", "POST", "/coupons/buy/{coupon_template}", expect(REFUSED), _form(),
         why="the template is not sold for points: a message"),
    Case("web:coupon_fee_discount", "POST", "/coupons/{fee_coupon}/fee-discount", only(["borrower"]),
         {"loan": "{listed}"}, why="someone else's coupon does not exist for the caller (404)"),
    Case("web:coupon_templates", "GET", "/operator/coupons/", only(OPERATORS)),
    Case("web:coupon_templates", "POST", "/operator/coupons/", only(OPERATORS), {"name": ""},
         why="an empty form is shown again with its errors"),
    Case("web:coupon_issue", "POST", "/operator/coupons/issue", only(OPERATORS, REFUSED), {"member": ""}),
    Case("web:coupon_template_active", "POST", "/operator/coupons/{coupon_template}/active", only(OPERATORS),
         {"active": "0", "reason": "matrix"}),
    Case("web:agent_coupon_redeem", "GET", "/agent/coupons/redeem", only(["agent"])),
    Case("web:agent_coupon_redeem", "POST", "/agent/coupons/redeem", only(["agent"]), {"code": "{service_code}"}),
    Case("api:marketing_coupons", "GET", "/api/marketing/coupons", expect(OK), api=True),
    Case("api:coupon_offers", "GET", "/api/marketing/coupons/offers", expect(OK), api=True),
    Case("api:coupon_from_points", "POST", "/api/marketing/coupons/from-points", expect(DENY),
         {"template_id": "{coupon_template}"}, api=True, why="the template is not sold for points (404)"),
    Case("api:coupon_fee_discount", "POST", "/api/marketing/coupons/{fee_coupon}/fee-discount", only(["borrower"]),
         {"loan_id": "{listed}"}, api=True, why="someone else's coupon does not exist for the caller (404)"),
    Case("api:coupon_redeem_offline", "POST", "/api/marketing/coupons/redeem-offline", only(["agent"]),
         {"code": "{service_code}"}, api=True),
    # ---- staff performance (issue 15 part 7): operators' targets, completion report and commissions; the agent's
    # own members, targets and commission statement; {staffmember} was registered by the agent
    Case("web:staff_targets", "GET", "/operator/staff/targets", only(OPERATORS)),
    Case("web:staff_targets", "POST", "/operator/staff/targets", only(OPERATORS, REFUSED), {"month": ""},
         why="an empty form is shown again with its errors (400)"),
    Case("web:staff_report", "GET", "/operator/staff/report?month=2026-03&by=city", only(OPERATORS)),
    Case("web:staff_report_chart", "GET", "/operator/staff/report/chart.svg?month=2026-03&by=agent",
         only(OPERATORS)),
    Case("web:staff_report_export", "GET", "/operator/staff/report/export?format=xlsx&month=2026-03",
         only(OPERATORS)),
    Case("web:staff_commissions", "GET", "/operator/staff/commissions?month=2026-03", only(OPERATORS)),
    Case("web:agent_my_members", "GET", "/agent/my-members/", only(["agent"])),
    Case("web:agent_my_member", "GET", "/agent/my-members/{staffmember}/", only(["agent"])),
    Case("web:agent_member_tag", "POST", "/agent/my-members/{staffmember}/tag", only(["agent"]), {"tag": "matrix"}),
    Case("web:agent_member_contact", "POST", "/agent/my-members/{staffmember}/contact", only(["agent"]),
         {"method": "phone", "note": "matrix"}),
    Case("web:agent_member_coupon", "POST", "/agent/my-members/{staffmember}/coupon", only(["agent"], REFUSED),
         {"template": "0"}, why="no such coupon to hand out: a message"),
    Case("web:agent_my_targets", "GET", "/agent/my-targets?month=2026-03", only(["agent"])),
    Case("web:agent_my_commissions", "GET", "/agent/my-commissions", only(["agent"])),
    # ---- campaigns (issue 15 part 5): operators only; {campaign} is scheduled (a bad action is refused: a message)
    Case("web:campaign_admin", "GET", "/operator/campaigns/", only(OPERATORS)),
    Case("web:campaign_admin", "POST", "/operator/campaigns/", only(OPERATORS), {"name": ""},
         why="an empty form is shown again with its errors"),
    Case("web:campaign", "GET", "/operator/campaigns/{campaign}/", only(OPERATORS)),
    Case("web:campaign_action", "POST", "/operator/campaigns/{campaign}/action", only(OPERATORS, REFUSED),
         {"action": "none"}),
    # ---- risk events, filing information and per-loan facts (issue 16 parts 3 and 4): notices and the filing
    # page are public; {riskevent} is published (publishing again is refused), {riskdraft} a draft; officers
    # (risk, collections) record facts on {late}, whose borrower alone reports the use of funds
    Case("web:disclosure_events", "GET", "/disclosure/events", expect(OK, anonymous=OK)),
    Case("web:disclosure_event", "GET", "/disclosure/events/{riskevent}", expect(OK, anonymous=OK)),
    Case("web:disclosure_event", "GET", "/disclosure/events/{riskdraft}", expect(DENY, anonymous=DENY),
         why="a draft is not public (404)"),
    Case("web:disclosure_about", "GET", "/disclosure/about", expect(OK, anonymous=OK)),
    Case("web:risk_event_admin", "GET", "/operator/disclosure/events", only(OPERATORS)),
    Case("web:risk_event_admin", "POST", "/operator/disclosure/events", only(OPERATORS), {"title": ""},
         why="an empty form is shown again with its errors"),
    Case("web:risk_event_edit", "GET", "/operator/disclosure/events/{riskdraft}", only(OPERATORS)),
    Case("web:risk_event_edit", "POST", "/operator/disclosure/events/{riskevent}", only(OPERATORS), {"title": ""},
         why="an empty form is shown again; a published notice is never changed"),
    Case("web:risk_event_publish", "POST", "/operator/disclosure/events/{riskevent}/publish",
         only(OPERATORS, REFUSED), why="published already: a message, nothing changes"),
    Case("web:loan_fact_record", "GET", "/loans/{late}/disclosure/facts", only(["risk_officer", "collections"])),
    Case("web:loan_fact_record", "POST", "/loans/{late}/disclosure/facts", only(["risk_officer", "collections"]),
         {"kind": "", "body": ""}, why="an empty form is shown again with its errors"),
    Case("web:loan_use_of_funds", "GET", "/my/loans/{late}/use-of-funds", only(["borrower"])),
    Case("web:loan_use_of_funds", "POST", "/my/loans/{late}/use-of-funds", only(["borrower"]), {"body": ""},
         why="someone else's loan does not exist for the caller (404); the borrower's empty form is shown again"),
    Case("api:risk_events", "GET", "/api/disclosure/events", expect(OK, anonymous=OK), api=True),
    Case("api:risk_event", "GET", "/api/disclosure/events/{riskevent}", expect(OK, anonymous=OK), api=True),
    Case("api:disclosure_about", "GET", "/api/disclosure/about", expect(OK, anonymous=OK), api=True),
    Case("api:loan_disclosure", "GET", "/api/disclosure/loans/{late}", expect(OK), api=True),
    Case("api:loan_disclosure", "GET", "/api/disclosure/loans/{late}?known_at=investment", expect(OK), api=True),
    Case("api:loan_disclosure", "GET", "/api/disclosure/loans/{review}", only(["agent", *LOAN_VIEWERS]), api=True,
         why="an application under review is shown to its parties (its agent) and staff only"),
    # ---- monthly operating data, vintages and data filing (issue 16 parts 1, 2 and 6): public pages and API;
    # February 2026 is published in the world; the filing pull is the regulator's only (read-only, logged)
    Case("web:disclosure", "GET", "/disclosure/", expect(OK, anonymous=OK)),
    Case("web:disclosure", "GET", "/disclosure/?month=2026-02", expect(OK, anonymous=OK)),
    Case("web:disclosure", "POST", "/disclosure/", expect(REFUSED, anonymous=REFUSED), why="read-only: 405"),
    Case("web:disclosure_vintage", "GET", "/disclosure/vintage", expect(OK, anonymous=OK)),
    Case("web:disclosure_vintage_csv", "GET", "/disclosure/vintage.csv", expect(OK, anonymous=OK)),
    # related parties of the platform (flagged by staff; their loans are disclosed apart)
    Case("web:related_parties", "GET", "/compliance/related-parties", only(RELATED_PARTY_STAFF)),
    Case("web:related_parties", "POST", "/compliance/related-parties", only(RELATED_PARTY_STAFF, REFUSED),
         {"username": "nobody-here", "since": "2026-03-02", "reason": "matrix"},
         why="staff only; an unknown member is refused with a message (400)"),
    Case("web:related_party_end", "POST", "/compliance/related-parties/1/end", only(RELATED_PARTY_STAFF, REFUSED),
         {"until": "not-a-date", "reason": "matrix"}, why="staff only; a date that does not parse is refused (400)"),
    Case("api:disclosure_monthly", "GET", "/api/disclosure/monthly", expect(OK, anonymous=OK), api=True),
    Case("api:disclosure_month", "GET", "/api/disclosure/monthly/2026-02", expect(OK, anonymous=OK), api=True),
    Case("api:disclosure_vintage", "GET", "/api/disclosure/vintage", expect(OK, anonymous=OK), api=True),
    Case("api:disclosure_filing", "GET", "/api/disclosure/filings/2026-02", only(["regulator"]), api=True),
    # ---- staff two-factor pages (finding 11); switched off here, so they only show the state
    Case("web:two_factor", "GET", "/account/two-factor/", only(STAFF), why="members are never asked for a code"),
    Case("web:two_factor_enrol", "GET", "/account/two-factor/enrol", only(STAFF, PASS)),
    Case("web:two_factor_verify", "GET", "/account/two-factor/verify", expect(PASS)),
    Case("web:two_factor_backup_codes", "POST", "/account/two-factor/backup-codes", expect(PASS)),
    # ---- the admin site, one row group: staff flagged is_staff only (no model permissions granted)
    Case("admin:*", "GET", "/admin/", only(ADMIN_SITE, others=LOGIN)),
    Case("admin:*", "GET", "/admin/auth/group/", only(ADMIN_SITE, DENY, others=LOGIN)),
]

# ---------------------------------------------------------------- the world


def _network_world(agent: User, borrower: User, late: Loan, review: Loan) -> dict[str, int]:
    """Issue 15 part 6: a field verification with a photo of {review}; a counter receipt on {late} at another point."""
    from peerlend.accounts.network import fieldwork
    from peerlend.servicing import counter
    from tests.factories import make_agent

    membership = agent.agent_memberships.get()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    checks = {item: ("confirmed", "") for item in ("residence", "workplace", "income", "collateral")}
    verification = fieldwork.record_field_verification(
        agent, loan=review, checks=checks, result="pass", photos=[fieldwork.Photo("door.png", "image/png", png)])
    other_agent = make_agent()
    User.objects.filter(pk=borrower.pk).update(registered_point=other_agent.agent_memberships.get().service_point)
    receipt = counter.take_repayment(agent=other_agent, loan_id=late.pk, amount_minor=10_00, method="cash",
                                     idempotency_key=None)
    return {"point": membership.service_point_id, "membership": membership.pk,
            "photo": verification.photos.get().pk, "receipt": receipt.receipt_id}


def _coupon_world(operator: User, borrower: User, walk_in: User) -> dict[str, Any]:
    """Issue 15 part 3: a template, the borrower's fee-discount coupon, a service voucher of another member."""
    from peerlend.clock import business_date
    from peerlend.marketing.coupons.issuing import issue_coupon
    from peerlend.marketing.coupons.templates import TemplateInput, create_template

    today = business_date()

    def template(kind: str, channel: str) -> Any:
        return create_template(operator, TemplateInput(name=f"matrix {kind}", kind=kind, channel=channel,
                                                       value_minor=10_00, valid_from=today,
                                                       valid_until=today + timedelta(days=90)))

    fee = issue_coupon(template("fee_discount", "both"), borrower, source="operator", idempotency_key="matrix-fee")
    service = issue_coupon(template("service_voucher", "offline"), walk_in, source="operator",
                           idempotency_key="matrix-service")
    return {"coupon_template": fee.template_id, "fee_coupon": fee.pk, "service_code": service.code}


def _campaign_world(operator: User) -> int:
    """Issue 15 part 5: a scheduled points campaign ({campaign})."""
    from peerlend.clock import business_date
    from peerlend.marketing.campaigns.services import CampaignInput, define_campaign

    return define_campaign(actor=operator, data=CampaignInput(
        name="matrix campaign", segment="never_invested", reward="points", points=5, budget=100,
        message="matrix", run_on=business_date() + timedelta(days=30))).pk


def _staff_world(agent: User) -> dict[str, int]:
    """Issue 15 part 7: a member the agent registered at their point ({staffmember})."""
    from tests.factories import make_user

    member = make_user(roles=("borrower",), kyc=False)
    User.objects.filter(pk=member.pk).update(
        channel="offline", registered_by=agent, registered_point=agent.agent_memberships.get().service_point)
    return {"staffmember": member.pk}


def _disclosure_monthly_world() -> None:
    """February 2026 published as operating data (issue 16 part 1), for the month page and API rows."""
    from datetime import date

    from peerlend.disclosure.monthly.publish import publish_month

    publish_month(date(2026, 2, 1), today=date(2026, 3, 2))


def _disclosure_public_world(operator: User) -> dict[str, int]:
    """A published risk-event notice and a draft (issue 16 part 3)."""
    from peerlend.clock import business_date
    from peerlend.disclosure.events import services as risk_events

    def draft(title: str) -> Any:
        return risk_events.draft_event(actor=operator, data=risk_events.EventInput(
            title=title, body="matrix", category="other", severity="notice", occurred_on=business_date()))

    published = risk_events.publish_event(actor=operator, event_id=draft("matrix notice").pk)
    return {"riskevent": published.pk, "riskdraft": draft("matrix draft").pk}


def _build_world() -> dict[str, Any]:
    from tests.factories import make_agent, make_staff, make_user
    from tests.lending.conftest import START, application, deposit
    from tests.servicing.conftest import drain, young_borrower

    set_business_date(START)
    borrower = young_borrower()
    investor = make_user(roles=("investor",))
    other_investor = make_user(roles=("investor",))
    wrong_owner = make_user(roles=("borrower", "investor"))
    staff = {role: make_staff(role) for role in STAFF if role != "agent"}
    agent = make_agent()
    officer = make_staff(Role.RISK_OFFICER)
    for user, cash in ((investor, 50_000_00), (other_investor, 50_000_00), (wrong_owner, 20_000_00)):
        deposit(user, cash)

    # A loan disbursed on START whose borrower missed the first installment: late.
    late = lending.submit_application(borrower=borrower, data=application(amount_minor=6_000_00))
    lending.approve(officer=officer, loan_id=late.pk, reason="matrix")
    lending.invest(investor=investor, loan_id=late.pk, amount_minor=3_000_00)
    lending.invest(investor=other_investor, loan_id=late.pk, amount_minor=3_000_00)
    drain(borrower)
    from peerlend.servicing.batch import run_days
    from peerlend.servicing.models import Installment

    first = Installment.objects.filter(loan=late).order_by("number").first()
    assert first is not None
    run_days(first.due_date, first.due_date + timedelta(days=10))
    late.refresh_from_db()
    assert late.status == "late", late.status
    deposit(borrower, 50_000_00)  # cash a wrong actor's "repayment" would move

    # A listed loan (invest, cancel) and an application the agent filed with a document (review).
    listed = lending.submit_application(borrower=borrower, data=application(amount_minor=5_000_00))
    lending.approve(officer=officer, loan_id=listed.pk, reason="matrix")
    # One application in progress per borrower: the one under review is another member's.
    # An agent files only for members of their service point (issue 12, defect 9).
    walk_in = young_borrower()
    User.objects.filter(pk=walk_in.pk).update(registered_point=agent.agent_memberships.get().service_point)
    walk_in.refresh_from_db()
    review = lending.submit_application(
        borrower=walk_in, data=application(amount_minor=4_000_00), agent=agent,
        documents=[lending.UploadedDocument("income", "payslip.pdf", "application/pdf", b"%PDF-1.4 matrix")])
    assert review.status == "under_review", (review.status, review.decision_reason)
    document = LoanDocument.objects.get(loan=review)
    order = ledger.create_deposit_order(borrower, 100_00)
    from peerlend.servicing.models import Notification

    notification = Notification.objects.filter(user=borrower, channel="inbox").first()
    assert notification is not None

    from peerlend.investing.autoinvest.rules import RuleInput
    from peerlend.investing.autoinvest.services import create_rule

    autorule = create_rule(investor, RuleInput(name="matrix", amount_per_note_minor=50_00, max_per_loan_minor=50_00))
    from peerlend.ledger.statements import services as statements
    from peerlend.ledger.statements.periods import parse_period

    statement = statements.generate(borrower, parse_period("2026-03"), "csv").statement
    from decimal import Decimal

    from peerlend.clock import business_date
    from peerlend.investing.plans import services as plans

    plan = plans.define_plan(actor=staff["operator"], data=plans.PlanInput(
        name="matrix plan", target_minor=1_000_000_00, subscribe_from=business_date(),
        subscribe_until=business_date() + timedelta(days=30), lock_months=12, exit_months=12,
        expected_rate_low=Decimal("0.05"), expected_rate_high=Decimal("0.08"), grades=["A", "B", "C", "D", "E"]))
    plans.open_plan(actor=staff["operator"], plan_id=plan.pk)
    plansub = plans.subscribe(investor=investor, plan_id=plan.pk, amount_minor=100_00, reinvest=False)
    network_ids = _network_world(agent, borrower, late, review)
    coupon_ids = _coupon_world(staff["operator"], borrower, walk_in)
    coupon_ids["campaign"] = _campaign_world(staff["operator"])
    staff_ids = _staff_world(agent)
    disclosure_public_ids = _disclosure_public_world(staff["operator"])
    _disclosure_monthly_world()
    users: dict[str, User] = {"borrower": borrower, "investor": investor, "wrong_owner": wrong_owner,
                              "agent": agent, **staff}
    sessions = {}
    for name, user in users.items():
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        sessions[name] = c.cookies[settings.SESSION_COOKIE_NAME].value
    tokens = {name: issue_token(u) for name, u in users.items()}
    token_id = ApiToken.objects.filter(user=borrower).latest("pk").pk
    return {
        "users": users, "sessions": sessions, "tokens": tokens,
        "ids": {**network_ids, **coupon_ids, **staff_ids, **disclosure_public_ids,
                "late": late.pk, "listed": listed.pk, "review": review.pk, "document": document.pk,
                "order": order.public_id, "notification": notification.pk, "token": token_id,
                "autorule": autorule.pk, "statement": statement.pk, "plan": plan.pk, "plansub": plansub.pk,
                "refcode": borrower.referral_code.code,  # referrals (issue 15 part 4)
                "member": borrower.pk},
        "version": Loan.objects.get(pk=review.pk).version, "seq": 0, "client": Client(enforce_csrf_checks=False),
    }


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once, in a transaction rolled back at the end; each test runs in a savepoint of it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    try:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                yield _build_world()
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        fast.disable()


# ---------------------------------------------------------------- requests and answers


def _login_paths() -> set[str]:
    return {reverse("web:login"), reverse("admin:login")}


def categorize(response: Any) -> str:
    code = response.status_code
    if code >= 500:
        return f"server error {code}"
    if code == 401:
        return LOGIN
    if code in (403, 404):
        return DENY
    if 300 <= code < 400:
        if urlparse(response["Location"]).path in _login_paths():
            return LOGIN
        errors = [m for m in get_messages(response.wsgi_request) if m.level >= message_levels.ERROR]
        return REFUSED if errors else OK
    if 200 <= code < 300:
        return OK
    return REFUSED


def matches(expected: str, got: str) -> bool:
    return got == expected or (expected == PASS and got in (OK, REFUSED))


def _books() -> tuple[Any, ...]:
    from peerlend.ledger.models import Posting
    from peerlend.lending.models import Note
    from peerlend.servicing.models import ContactNote, ServicingPayment

    return (Posting.objects.count(), ServicingPayment.objects.count(), Note.objects.count(),
            ContactNote.objects.count(), tuple(Loan.objects.order_by("pk").values_list("pk", "status", "version")))


def send(case: Case, world: dict[str, Any], actor: str) -> Any:
    world["seq"] += 1
    client = world["client"]  # one client: its handler loads the middleware once
    client.cookies = SimpleCookie()
    headers: dict[str, str] = {}
    if actor != "anonymous":
        if case.api:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][actor]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][actor]
    path = case.path.format(**world["ids"])
    data = case.data(world, actor) if callable(case.data) else dict(case.data or {})
    data = {k: v.format(**world["ids"]) if isinstance(v, str) else v for k, v in data.items()}
    if case.method == "GET":
        return client.get(path, **headers)
    if case.api:
        headers["HTTP_IDEMPOTENCY_KEY"] = _key(world, actor)
        if case.method in ("PUT", "PATCH", "DELETE"):
            return client.generic(case.method, path, json.dumps(data), content_type="application/json", **headers)
        return client.post(path, data=json.dumps(data), content_type="application/json", **headers)
    return client.post(path, data, **headers)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_route_answers_each_actor_as_the_table_says(case: Case, world: dict[str, Any], db: None) -> None:
    assert set(case.expect) == set(ACTORS), f"row {case.id} must name every actor"
    wrong = []
    for actor in ACTORS:
        before = _books() if case.method == "POST" else None
        response = send(case, world, actor)
        got = categorize(response)
        if not matches(case.expect[actor], got):
            where = response.get("Location", "") if 300 <= response.status_code < 400 else ""
            wrong.append(f"{actor}: expected {case.expect[actor]}, got {got} ({response.status_code} {where})".rstrip())
        elif before is not None and got != OK and _books() != before:
            wrong.append(f"{actor}: answered {got} but the books changed")
    assert not wrong, f"{case.id}" + (f" ({case.why})" if case.why else "") + ":\n  " + "\n  ".join(wrong)


# ---------------------------------------------------------------- every route has a row


@dataclass
class Route:
    name: str
    pattern: str
    methods: set[str] = field(default_factory=set)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, named "namespace:name" (the pattern itself when unnamed)."""
    out: list[Route] = []

    def walk(patterns: Iterable[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                name = ":".join(filter(None, [namespace, p.name])) if p.name else pattern
                out.append(Route(name, pattern))

    walk(get_resolver().url_patterns, "/", "")
    return out


def _row_key(route: Route) -> str:
    return "admin:*" if route.pattern.startswith("/admin/") else route.name


def test_every_route_has_a_row() -> None:
    routes = all_routes()
    covered = {c.route for c in CASES}
    missing = sorted({f"{_row_key(r)}  ({r.pattern})" for r in routes if _row_key(r) not in covered})
    present = {_row_key(r) for r in routes}
    stale = sorted({c.route for c in CASES if c.route not in present and not c.conditional})
    problems = []
    if missing:
        problems.append("routes without a row in CASES (add one per route: what each actor gets):\n  "
                        + "\n  ".join(missing))
    if stale:
        problems.append("rows for routes that no longer exist:\n  " + "\n  ".join(stale))
    assert not problems, "\n".join(problems)
