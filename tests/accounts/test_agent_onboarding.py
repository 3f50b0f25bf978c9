"""Issue 12, defects 8 and 9: an agent never knows a member's password, and files only for members of their
service point or with the member's one-time consent code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from peerlend.accounts import consent
from peerlend.accounts.models import ConsentCode, User
from peerlend.accounts.services import register_and_verify_offline, register_member_offline
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.ledger.models import OutboxMessage
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from tests.accounts.onboarding_helpers import link_path, member_messages
from tests.factories import make_agent, make_service_point, make_user, random_bank_card, random_resident_id
from tests.lending.conftest import application

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Own-choice-pass-77"


def _console_body(**over):
    return {"username": "grace", "email": "", "real_name": "孙九", "resident_id": random_resident_id(),
            "mobile": "13712345678", "bank_card": random_bank_card(), **over}


# ---------------------------------------------------------------- defect 8: the member sets the password


def test_agent_console_sets_no_password_and_the_member_chooses_it_through_a_one_time_link():
    point = make_service_point()
    agent = make_agent(point)
    c = Client()
    c.force_login(agent)
    form = c.get("/agent/").content.decode()
    assert 'type="password"' not in form
    # Even a password smuggled into the form is ignored: the agent cannot choose it.
    r = c.post("/agent/", _console_body(password="Agent-knows-99", password2="Agent-knows-99"), follow=True)
    assert r.status_code == 200 and "one-time link" in r.content.decode()
    member = User.objects.get(username="grace")
    assert not member.has_usable_password()
    assert not member.check_password("Agent-knows-99")

    # The link went to the member by SMS (the mobile just verified), never onto the agent's page.
    [(kind, body)] = member_messages(member.pk)
    assert kind == "member.sms"
    path = link_path(body)
    assert path not in r.content.decode()
    assert "13712345678" not in str(OutboxMessage.objects.get(kind="member.sms").payload)  # stored encrypted

    member_client = Client()
    page = member_client.get(path, follow=True)
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    done = member_client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
                                        "accept_terms": "on"})
    assert done.status_code == 302 and done["Location"] == "/login"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert member.terms_acceptances.count() == 2  # accepted by the member, not the agent

    # The link works once.
    again = Client().get(path, follow=True).content.decode()
    assert "invalid, expired or used already" in again


def test_set_password_page_requires_the_member_to_accept_the_terms():
    agent = make_agent()
    member = register_member_offline(agent, username="ivan", email="ivan@example.com")
    [(kind, body)] = member_messages(member.pk)
    assert kind == "member.email"
    c = Client()
    set_url = c.get(link_path(body), follow=True).redirect_chain[-1][0]
    r = c.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert r.status_code == 200 and "accept" in r.content.decode().lower()
    member.refresh_from_db()
    assert not member.has_usable_password()


def test_offline_registration_without_any_contact_is_refused():
    agent = make_agent()
    with pytest.raises(ApplicationError) as exc:
        register_member_offline(agent, username="nocontact")
    assert exc.value.code == "no_contact"
    assert not User.objects.filter(username="nocontact").exists()
    assert not OutboxMessage.objects.exists()


def test_a_refused_in_person_registration_sends_nothing():
    agent = make_agent()
    with pytest.raises(ApplicationError):
        register_and_verify_offline(agent, username="kid", real_name="李四", resident_id="123",
                                    mobile="13712345678", bank_card=random_bank_card(), email="kid@example.com")
    assert not User.objects.filter(username="kid").exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_link_is_sent_only_after_commit(mailoutbox):
    agent = make_agent()
    with transaction.atomic():
        register_member_offline(agent, username="judy", email="judy@example.com")
        assert mailoutbox == []  # queued in the outbox; nothing leaves while the transaction is open
    [mail] = mailoutbox
    assert mail.to == ["judy@example.com"] and re.search(r"/password/[\w-]+/[\w-]+", mail.body)
    assert OutboxMessage.objects.get().status == "sent"


# ---------------------------------------------------------------- defect 9: whom an agent may file for


@pytest.fixture
def agent_and_point():
    point = make_service_point()
    return make_agent(point), point


def _borrower(**kw):
    return make_user(roles=("borrower",), **kw)


def test_agent_cannot_file_for_a_member_of_no_relation(agent_and_point):
    agent, _ = agent_and_point
    stranger = _borrower()
    with pytest.raises(PermissionDenied) as exc:
        lending.submit_application(borrower=stranger, data=application(), agent=agent)
    assert exc.value.code == "consent_required"
    assert not Loan.objects.exists()


def test_agent_files_for_members_registered_or_verified_at_their_point(agent_and_point):
    agent, point = agent_and_point
    registered = _borrower()
    User.objects.filter(pk=registered.pk).update(registered_point=point)
    registered.refresh_from_db()
    assert lending.submit_application(borrower=registered, data=application(), agent=agent).agent == agent
    verified_here = _borrower()
    verified_here.identity.service_point = point
    verified_here.identity.channel = "offline"
    verified_here.identity.verified_by = agent
    verified_here.identity.save()
    assert lending.submit_application(borrower=verified_here, data=application(), agent=agent).agent == agent
    # A colleague at another point may not.
    other = make_agent()
    with pytest.raises(PermissionDenied):
        lending.submit_application(borrower=_borrower(), data=application(), agent=other)


def _code_sent_to(member):
    [(_, body)] = member_messages(member.pk, "member.sms")
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_consent_code_lets_the_agent_file_once(agent_and_point):
    agent, _ = agent_and_point
    member = _borrower()
    consent.request_consent_code(agent, member.username)
    code = _code_sent_to(member)
    assert ConsentCode.objects.get().digest != code  # only a keyed digest is stored
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(PermissionDenied) as exc:
        lending.submit_application(borrower=member, data=application(), agent=agent, consent_code=wrong)
    assert exc.value.code == "consent_invalid"
    assert ConsentCode.objects.get().failed_tries == 1
    # Another agent cannot use the member's code.
    with pytest.raises(PermissionDenied):
        lending.submit_application(borrower=member, data=application(), agent=make_agent(), consent_code=code)
    loan = lending.submit_application(borrower=member, data=application(), agent=agent, consent_code=code)
    assert loan.agent == agent and ConsentCode.objects.get().used_at is not None
    with pytest.raises(PermissionDenied) as exc:
        consent.authorize_filing(agent, member, code)
    assert exc.value.code == "consent_invalid"


def test_consent_code_expires_and_dies_after_too_many_wrong_tries(agent_and_point, settings):
    agent, _ = agent_and_point
    member = _borrower()
    consent.request_consent_code(agent, member.username)
    code = _code_sent_to(member)
    ConsentCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        consent.authorize_filing(agent, member, code)
    OutboxMessage.objects.all().delete()
    consent.request_consent_code(agent, member.username)
    code = _code_sent_to(member)
    settings.PEERLEND_CONSENT_CODE_MAX_TRIES = 2
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            consent.authorize_filing(agent, member, "x" + code)
    with pytest.raises(PermissionDenied):
        consent.authorize_filing(agent, member, code)


def test_agent_pages_ask_for_consent_and_refuse_without_it(agent_and_point):
    agent, _ = agent_and_point
    member = _borrower()
    c = Client()
    c.force_login(agent)
    body = {"member_username": member.username, "amount": "8000.00", "term_months": 12,
            "repayment_method": "equal_installment", "purpose": "debt_consolidation", "annual_income": "150000.00",
            "employment_years": 5, "housing": "rent", "delinq_2yrs": "0", "inq_last_6mths": "0"}
    r = c.post("/agent/applications/", body)
    assert r.status_code == 400 and "ask them for a consent code" in r.content.decode()
    assert not Loan.objects.exists()
    r = c.post("/agent/consent-code", {"member_username": member.username}, follow=True)
    assert r.status_code == 200 and f"A consent code was sent to {member.username}" in r.content.decode()
    code = _code_sent_to(member)
    assert code not in r.content.decode()
    r = c.post("/agent/applications/", {**body, "consent_code": code})
    assert r.status_code == 302, r.content.decode()[-3000:]
    assert Loan.objects.get().agent == agent
    # Members are refused the agent's route.
    m = Client()
    m.force_login(member)
    assert m.post("/agent/consent-code", {"member_username": member.username}).status_code == 403
