import pytest
from django.test import Client

from peerlend.accounts.models import Identity, User
from tests.factories import make_agent, make_service_point, make_user, random_bank_card, random_resident_id

pytestmark = pytest.mark.django_db


def _csrf_client():
    return Client(enforce_csrf_checks=True)


def _csrf_token(client, url):
    r = client.get(url)
    assert r.status_code == 200
    return r.cookies["csrftoken"].value


@pytest.mark.parametrize("url", ["/register", "/login"])
def test_forms_without_csrf_token_are_refused(url):
    c = _csrf_client()
    r = c.post(url, {"username": "eve", "password": "Tr1cky-pass-99", "password2": "Tr1cky-pass-99"})
    assert r.status_code == 403
    assert not User.objects.filter(username="eve").exists()


def test_kyc_form_without_csrf_is_refused():
    user = make_user(kyc=False)
    c = _csrf_client()
    c.force_login(user)
    r = c.post("/kyc", {"real_name": "李四", "resident_id": random_resident_id(), "mobile": "13812345678",
                        "bank_card": random_bank_card()})
    assert r.status_code == 403 and not Identity.objects.filter(user=user).exists()


def test_register_page_with_csrf_logs_in_and_leads_to_kyc():
    c = _csrf_client()
    token = _csrf_token(c, "/register")
    r = c.post("/register", {"username": "dave", "password": "Tr1cky-pass-99", "password2": "Tr1cky-pass-99",
                             "accept_terms": "on", "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and r["Location"] == "/kyc"
    user = User.objects.get(username="dave")
    assert user.password.startswith("argon2$") and sorted(user.roles) == ["borrower", "investor"]
    page = c.get("/kyc")
    assert page.status_code == 200 and "Resident ID number" in page.content.decode()


def test_register_page_shows_errors():
    c = Client()
    r = c.post("/register", {"username": "dave", "password": "short", "password2": "short", "accept_terms": "on"})
    assert r.status_code == 400 and "too short" in r.content.decode()
    r = c.post("/register", {"username": "dave", "password": "Tr1cky-pass-99", "password2": "other-pass-99"})
    assert r.status_code == 400 and "differ" in r.content.decode()
    assert not User.objects.exists()


def test_login_and_logout_pages():
    make_user("erin")
    c = _csrf_client()
    token = _csrf_token(c, "/login")
    r = c.post("/login", {"username": "erin", "password": "Passw0rd!x", "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    assert c.get("/kyc").status_code == 200
    token = c.cookies["csrftoken"].value
    assert c.post("/logout", {"csrfmiddlewaretoken": token}).status_code == 302
    assert c.get("/kyc").status_code == 302  # back to the login page


def test_login_page_lockout(settings):
    make_user("frank")
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = c.post("/login", {"username": "frank", "password": "nope-nope"})
        assert r.status_code == 200 and "correct username and password" in r.content.decode()
    r = c.post("/login", {"username": "frank", "password": "nope-nope"})
    assert r.status_code == 429 and "locked" in r.content.decode()
    r = c.post("/login", {"username": "frank", "password": "Passw0rd!x"})
    assert r.status_code == 429


def test_kyc_page_verifies_and_then_shows_only_masked_values():
    user = make_user(kyc=False)
    c = Client()
    c.force_login(user)
    rid, card = random_resident_id(), random_bank_card()
    r = c.post("/kyc", {"real_name": "李四", "resident_id": rid, "mobile": "13812345678", "bank_card": card})
    assert r.status_code == 302
    page = c.get("/kyc").content.decode()
    assert rid[:3] + "*" * 11 + rid[-4:] in page and "138****5678" in page
    for plain in (rid, card, "13812345678", "李四"):
        assert plain not in page


def test_kyc_page_shows_field_error():
    user = make_user(kyc=False)
    c = Client()
    c.force_login(user)
    r = c.post("/kyc", {"real_name": "李四", "resident_id": "110101199013011234", "mobile": "13812345678",
                        "bank_card": random_bank_card()})
    assert r.status_code == 400 and "birth date" in r.content.decode()
    assert not Identity.objects.filter(user=user).exists()


def test_kyc_page_needs_login():
    r = Client().get("/kyc")
    assert r.status_code == 302 and r["Location"].startswith("/login")


def test_agent_console_registers_and_verifies_in_person():
    point = make_service_point()
    agent = make_agent(point)
    c = Client()
    c.force_login(agent)
    page = c.get("/agent/")
    assert page.status_code == 200 and point.code in page.content.decode()
    rid = random_resident_id()
    r = c.post("/agent/", {"username": "grace", "password": "Tr1cky-pass-99", "password2": "Tr1cky-pass-99",
                           "email": "", "real_name": "孙九", "resident_id": rid, "mobile": "13712345678",
                           "bank_card": random_bank_card()})
    assert r.status_code == 302 and r["Location"] == "/agent/members"
    member = User.objects.get(username="grace")
    assert member.channel == "offline" and member.registered_by == agent and member.registered_point == point
    assert member.identity.channel == "offline" and member.identity.verified_by == agent
    listing = c.get("/agent/members").content.decode()
    assert "grace" in listing and rid[:3] + "*" * 11 + rid[-4:] in listing and rid not in listing


def test_agent_console_is_all_or_nothing():
    agent = make_agent()
    c = Client()
    c.force_login(agent)
    r = c.post("/agent/", {"username": "heidi", "password": "Tr1cky-pass-99", "password2": "Tr1cky-pass-99",
                           "real_name": "孙九", "resident_id": "123", "mobile": "13712345678",
                           "bank_card": random_bank_card()})
    assert r.status_code == 400 and "resident ID" in r.content.decode()
    assert not User.objects.filter(username="heidi").exists()


@pytest.mark.parametrize("url", ["/agent/", "/agent/members"])
def test_agent_pages_refuse_non_agents(url):
    c = Client()
    c.force_login(make_user())
    r = c.get(url)
    assert r.status_code == 403
    c.force_login(make_agent(make_service_point(active=False)))
    assert c.get(url).status_code == 403
