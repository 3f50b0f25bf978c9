"""Finding 11: staff accounts need TOTP two-factor authentication (enforced by PEERLEND_STAFF_2FA)."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from peerlend.accounts import twofactor
from peerlend.accounts.models import STAFF_ROLES, Role
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_two_factor_on")]

ENROL = "/account/two-factor/enrol"
VERIFY = "/account/two-factor/verify"
STATUS = "/account/two-factor/"


@pytest.fixture
def _two_factor_on(settings):
    settings.PEERLEND_STAFF_2FA = True
    # Throttling (a growing delay after each wrong code) is tested on its own below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_every_staff_role_needs_a_second_factor_and_members_never_do():
    staff = {Role.AGENT, Role.RISK_OFFICER, Role.COLLECTIONS, Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR,
             Role.ADMIN}
    assert set(STAFF_ROLES) == staff
    for role in STAFF_ROLES:
        assert twofactor.otp_required(make_staff(role)), role
    assert not twofactor.otp_required(make_user(roles=("investor", "borrower")))


def test_django_staff_flags_count_as_staff_too():
    user = make_user(roles=("investor",))
    user.is_superuser = True
    user.save()
    assert twofactor.otp_required(user)


@override_settings(PEERLEND_STAFF_2FA=False)
def test_switched_off_staff_without_a_device_go_straight_in():
    c = _logged_in(make_staff(Role.RISK_OFFICER))
    assert c.get("/review/").status_code == 200


@override_settings(PEERLEND_STAFF_2FA=False)
def test_switched_off_a_staff_member_who_enrolled_is_still_asked():
    officer = make_staff(Role.RISK_OFFICER)
    _enrolled(officer)
    r = _logged_in(officer).get("/review/")
    assert r.status_code == 302 and r["Location"].startswith(VERIFY)


def test_staff_without_a_device_are_sent_to_enrol():
    c = _logged_in(make_staff(Role.RISK_OFFICER))
    r = c.get("/review/")
    assert r.status_code == 302 and r["Location"] == f"{ENROL}?next=/review/"


def test_staff_with_a_device_cannot_reach_review_until_verified():
    officer = make_staff(Role.RISK_OFFICER)
    _enrolled(officer)
    c = _logged_in(officer)
    r = c.get("/review/")
    assert r.status_code == 302 and r["Location"] == f"{VERIFY}?next=/review/"
    # Every staff page is closed, not only the review queue.
    for url in ("/", "/account", "/loans/", "/inbox"):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith(VERIFY), url


def test_a_wrong_code_is_refused():
    officer = make_staff(Role.RISK_OFFICER)
    device = _enrolled(officer)
    c = _logged_in(officer)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    r = c.post(VERIFY, {"code": wrong, "next": "/review/"})
    assert r.status_code == 400 and "That code is not valid" in r.content.decode()
    assert c.get("/review/").status_code == 302


def test_the_right_code_opens_the_staff_pages():
    officer = make_staff(Role.RISK_OFFICER)
    device = _enrolled(officer)
    c = _logged_in(officer)
    code = _code(device)
    r = c.post(VERIFY, {"code": code, "next": "/review/"})
    assert r.status_code == 302 and r["Location"] == "/review/"
    assert c.get("/review/").status_code == 200
    # A code is good once: replaying the same code elsewhere is refused (the same code, not a fresh
    # one: a 30-second step may have ended in between, and the next step's code is rightly valid).
    with pytest.raises(ApplicationError) as exc:
        twofactor.verify(officer, code)
    assert exc.value.code == "otp_invalid"


def test_verify_never_redirects_off_site():
    officer = make_staff(Role.OPERATOR)
    device = _enrolled(officer)
    c = _logged_in(officer)
    r = c.post(VERIFY, {"code": _code(device), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


def test_repeated_wrong_codes_are_throttled(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    officer = make_staff(Role.RISK_OFFICER)
    device = _enrolled(officer)
    with pytest.raises(ApplicationError):
        twofactor.verify(officer, "000000" if _code(device) != "000000" else "111111")
    # Even the right code waits out the delay after a failure.
    with pytest.raises(ApplicationError) as exc:
        twofactor.verify(officer, _code(device))
    assert exc.value.code == "otp_throttled"


def test_members_are_never_asked():
    member = make_user(roles=("investor", "borrower"))
    c = _logged_in(member)
    for url in ("/", "/account", "/my/notes/", "/kyc"):
        assert c.get(url).status_code == 200, url
    assert c.get(ENROL).status_code == 403


def _shown_secret(html: str) -> str:
    return html.split('class="otp-secret">', 1)[1].split("</code>", 1)[0].replace(" ", "")


def _pending(html: str) -> str:
    return html.split('name="pending" value="', 1)[1].split('"', 1)[0]


def _device_for(secret: str) -> TOTPDevice:
    """An unsaved device with the secret shown on the page, to compute the codes an app would show."""
    return TOTPDevice(key=base64.b32decode(secret + "=" * (-len(secret) % 8)).hex())


def _wrong(device: TOTPDevice) -> str:
    return "000000" if _code(device) != "000000" else "111111"


def test_enrolment_shows_a_local_qr_code_and_the_secret_then_confirms_with_a_code():
    operator = make_staff(Role.OPERATOR)
    c = _logged_in(operator)
    page = c.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    secret = _shown_secret(html)
    device = _device_for(secret)
    svg = html.split("<svg", 1)[1].split("</svg>")[0]
    assert "<img" not in html and "href" not in svg and "src=" not in svg and "style=" not in svg
    assert len(secret) == 32  # 20 random bytes, as django-otp makes them
    # Showing the page stores nothing: the device exists only once a code proves the app has the key.
    assert not TOTPDevice.objects.filter(user=operator).exists()

    r = c.post(ENROL, {"code": _wrong(device), "pending": _pending(html)})
    assert r.status_code == 400 and "That code is not valid" in r.content.decode()
    # A wrong or missing code keeps the same key on the page (the phone has scanned it already).
    assert _shown_secret(r.content.decode()) == secret
    r = c.post(ENROL, {"code": "", "pending": _pending(r.content.decode())})
    assert r.status_code == 400 and _shown_secret(r.content.decode()) == secret
    assert not TOTPDevice.objects.filter(user=operator).exists()
    r = c.post(ENROL, {"code": _code(device), "pending": _pending(r.content.decode())})
    assert r.status_code == 200
    saved = TOTPDevice.objects.get(user=operator)
    assert saved.confirmed and saved.key == device.key
    codes = StaticDevice.objects.get(user=operator).token_set.values_list("token", flat=True)
    assert len(codes) == 10 and all(code in r.content.decode() for code in codes)
    assert AuditEvent.objects.filter(action="accounts.two_factor_enrolled", actor=operator).exists()
    # Enrolled and verified in this session: the staff pages open.
    assert c.get("/operator/reconciliation").status_code == 200
    # A second enrolment over a confirmed device is refused (an admin resets a lost device).
    assert c.get(ENROL).status_code == 302


def test_the_enrolment_page_writes_nothing():
    operator = make_staff(Role.OPERATOR)
    c = _logged_in(operator)
    c.get("/")  # the session's first page, before counting
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(ENROL).status_code == 200
        assert c.get(ENROL).status_code == 200
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                                               "DELETE"))]
    assert writes == []


@pytest.mark.parametrize("spoil", ["tampered", "other_user", "garbage", "missing"])
def test_a_spoiled_enrolment_value_is_refused_and_nothing_is_stored(spoil):
    operator = make_staff(Role.OPERATOR)
    c = _logged_in(operator)
    html = c.get(ENROL).content.decode()
    device = _device_for(_shown_secret(html))
    pending = _pending(html)
    if spoil == "tampered":
        # Another key under the same signature: the phone would hold a key the server never gave out.
        other = twofactor.start_enrolment(operator)
        pending = other.signed.split(":", 1)[0] + ":" + pending.split(":", 1)[1]
    elif spoil == "other_user":
        pending = twofactor.start_enrolment(make_staff(Role.OPERATOR)).signed
        device = twofactor.start_enrolment(operator).device  # any code: the value is refused first
    elif spoil == "garbage":
        pending = "not-a-signed-value"
    else:
        pending = ""
    r = c.post(ENROL, {"code": _code(device), "pending": pending})
    assert r.status_code == 400
    assert "This setup page has expired or was changed" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=operator).exists()
    assert not StaticDevice.objects.filter(user=operator).exists()
    # A fresh key is shown to start again.
    assert _pending(r.content.decode())


def test_an_expired_enrolment_value_is_refused(settings):
    operator = make_staff(Role.OPERATOR)
    pending = twofactor.start_enrolment(operator)
    settings.PEERLEND_OTP_ENROLMENT_SECONDS = -1  # already past its age when checked
    with pytest.raises(ApplicationError) as exc:
        twofactor.confirm_enrolment(operator, pending.signed, _code(pending.device))
    assert exc.value.code == "otp_enrolment_invalid" and exc.value.status == 400
    assert not TOTPDevice.objects.filter(user=operator).exists()


def test_confirming_twice_with_one_value_keeps_one_device():
    operator = make_staff(Role.OPERATOR)
    pending = twofactor.start_enrolment(operator)
    twofactor.confirm_enrolment(operator, pending.signed, _code(pending.device))
    with pytest.raises(ApplicationError) as exc:
        twofactor.confirm_enrolment(operator, pending.signed, _code(pending.device, offset_steps=1))
    assert exc.value.code == "otp_already_enrolled"
    assert TOTPDevice.objects.filter(user=operator).count() == 1


def test_the_enrolment_code_cannot_be_used_again_to_verify():
    operator = make_staff(Role.OPERATOR)
    pending = twofactor.start_enrolment(operator)
    code = _code(pending.device)
    twofactor.confirm_enrolment(operator, pending.signed, code)
    with pytest.raises(ApplicationError) as exc:
        twofactor.verify(operator, code)
    assert exc.value.code == "otp_invalid"


def test_unconfirmed_devices_left_by_older_pages_are_removed_on_enrolment():
    operator = make_staff(Role.OPERATOR)
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=False)
    pending = twofactor.start_enrolment(operator)
    twofactor.confirm_enrolment(operator, pending.signed, _code(pending.device))
    assert list(TOTPDevice.objects.filter(user=operator).values_list("confirmed", flat=True)) == [True]


def test_a_backup_code_works_once():
    agent = make_staff(Role.AGENT)
    _enrolled(agent)
    codes = twofactor.regenerate_backup_codes(agent)
    c = _logged_in(agent)
    assert c.post(VERIFY, {"code": codes[0]}).status_code == 302
    other = _logged_in(agent)
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_status_page_regenerates_backup_codes_only_when_verified():
    admin = make_staff(Role.ADMIN)
    device = _enrolled(admin)
    c = _logged_in(admin)
    assert c.post(f"{STATUS}backup-codes").status_code == 302  # to verify first
    c.post(VERIFY, {"code": _code(device)})
    assert c.get(STATUS).status_code == 200
    r = c.post(f"{STATUS}backup-codes")
    assert r.status_code == 200 and StaticDevice.objects.get(user=admin).token_set.count() == 10


def test_django_admin_needs_the_second_factor_too():
    admin = make_staff(Role.ADMIN)
    assert admin.is_staff
    device = _enrolled(admin)
    admin.is_superuser = True
    admin.save()
    c = _logged_in(admin)
    r = c.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith(VERIFY)
    c.post(VERIFY, {"code": _code(device)})
    assert c.get("/admin/").status_code == 200


def test_logout_and_language_switch_stay_open():
    c = _logged_in(make_staff(Role.COLLECTIONS))
    assert c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}).status_code == 302
    r = c.post("/logout")
    assert r.status_code == 302 and not r["Location"].startswith((VERIFY, ENROL))


# --- the API ---------------------------------------------------------------------------------------

def _token(client, user, **extra):
    return client.post("/api/auth/token", {"username": user.username, "password": "Passw0rd!x", **extra},
                       content_type="application/json")


def test_api_session_of_an_unverified_staff_member_is_refused():
    c = _logged_in(make_staff(Role.RISK_OFFICER))
    r = c.get("/api/me")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"


def test_staff_api_token_needs_a_code(client):
    officer = make_staff(Role.RISK_OFFICER)
    r = _token(client, officer)
    assert r.status_code == 403 and r.json()["code"] == "otp_required"
    device = _enrolled(officer)
    r = _token(client, officer, otp="123456" if _code(device) != "123456" else "654321")
    assert r.status_code == 403 and r.json()["code"] == "otp_invalid"


def test_staff_api_token_with_the_right_code(client):
    officer = make_staff(Role.RISK_OFFICER)
    device = _enrolled(officer)
    r = _token(client, officer, otp=_code(device))
    assert r.status_code == 200, r.content
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    assert me.status_code == 200


def test_member_api_token_needs_no_code(client):
    member = make_user(roles=("investor",))
    member.set_password("Passw0rd!x")
    member.save()
    assert _token(client, member).status_code == 200


@override_settings(PEERLEND_STAFF_2FA=False)
def test_switched_off_staff_tokens_need_no_code(client):
    assert _token(client, make_staff(Role.OPERATOR)).status_code == 200
